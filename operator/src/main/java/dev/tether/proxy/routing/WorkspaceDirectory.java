package dev.tether.proxy.routing;

import dev.tether.api.DispatchStatus;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Workspace the proxy serves, from fabric8 informers (one over all namespaces, or one per
 * watched namespace), and the ready endpoints of the provisioned ones: lookups read the cache, never the API server.
 * It also tells a listener what it observes: a healthy heartbeat (lastHeartbeatTime advanced while the runtime reports
 * active tasks and is not wedged), a changed dispatch policy, any change at all, and a deletion.
 */
public final class WorkspaceDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceDirectory.class);

    /** What in-flight dispatches need to hear about. Called on the informer's thread: keep it quick. */
    public interface Listener {
        default void healthyHeartbeat(WorkspaceId workspace) {
        }

        default void policyChanged(WorkspaceId workspace) {
        }

        /** The workspace was added or changed in any way (a heartbeat's report, a limit). */
        default void changed(WorkspaceId workspace, Workspace now) {
        }

        /** A provisioned workspace's ready endpoints changed. */
        default void endpointsChanged(WorkspaceId workspace) {
        }

        /** The workspace is gone; in-flight dispatches have already heard {@link #policyChanged}. */
        default void deleted(WorkspaceId workspace) {
        }
    }

    private final List<String> namespaces;
    private final Map<String, SharedIndexInformer<Workspace>> informers;
    private final EndpointDirectory endpoints;
    /** Turns the ready endpoints round, so dispatches spread over a workspace's replicas. */
    private final AtomicLong turn = new AtomicLong();

    /** @param namespaces empty: all namespaces */
    public WorkspaceDirectory(KubernetesClient client, List<String> namespaces) {
        this.namespaces = List.copyOf(namespaces);
        var workspaces = client.resources(Workspace.class);
        Function<String, SharedIndexInformer<Workspace>> create = ns -> (ns.isEmpty() ? workspaces.inAnyNamespace()
                : workspaces.inNamespace(ns)).runnableInformer(0);
        informers = (namespaces.isEmpty() ? List.of("") : this.namespaces).stream()
                .collect(Collectors.toUnmodifiableMap(ns -> ns, create));
        endpoints = new EndpointDirectory(client, this.namespaces);
    }

    /** Starts watching; the listeners hear of heartbeats, policy changes and deletions from then on. */
    public void start(Listener... listeners) {
        endpoints.onChange(id -> {
            for (Listener listener : listeners) {
                listener.endpointsChanged(id);
            }
        });
        informers.forEach((ns, informer) -> {
            for (Listener listener : listeners) {
                informer.addEventHandler(new Events(listener));
            }
            informer.exceptionHandler((started, t) -> {
                LOG.warn("watching Workspaces in {} failed: {}; retrying", ns.isEmpty() ? "all namespaces" : "namespace " + ns, t.toString());
                return true;
            });
            informer.start();
        });
    }

    public boolean isSynced() {
        return informers.values().stream().allMatch(SharedIndexInformer::hasSynced) && endpoints.isSynced();
    }

    /** One ready pod address of a provisioned workspace, each call the next one; empty when none is ready. */
    public Optional<InetSocketAddress> nextReadyEndpoint(WorkspaceId workspace) {
        List<InetSocketAddress> ready = endpoints.ready(workspace);
        return ready.isEmpty() ? Optional.empty() : Optional.of(ready.get((int) Math.floorMod(turn.getAndIncrement(), (long) ready.size())));
    }

    /** Whether a provisioned workspace has a ready pod now. */
    public boolean hasReadyEndpoint(WorkspaceId workspace) {
        return !endpoints.ready(workspace).isEmpty();
    }

    /** True when this proxy serves the namespace at all. */
    public boolean serves(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }

    public String describeScope() {
        return namespaces.isEmpty() ? "all namespaces" : "namespaces " + String.join(", ", namespaces);
    }

    public Optional<Workspace> find(WorkspaceId key) {
        SharedIndexInformer<Workspace> informer = informers.get(namespaces.isEmpty() ? "" : key.namespace());
        return informer == null ? Optional.empty()
                : Optional.ofNullable(informer.getStore().getByKey(Cache.namespaceKeyFunc(key.namespace(), key.name())));
    }

    @Override
    public void close() {
        informers.values().forEach(SharedIndexInformer::close);
        endpoints.close();
    }

    /**
     * True when {@code now} carries a heartbeat newer than {@code before} from a runtime that is working: not wedged, and
     * reporting active tasks. A runtime that heartbeats while idle must not hold a silent dispatch open forever.
     */
    public static boolean healthyHeartbeatObserved(WorkspaceStatus before, WorkspaceStatus now) {
        String previous = before == null ? null : before.getLastHeartbeatTime();
        String latest = now == null ? null : now.getLastHeartbeatTime();
        if (latest == null || latest.equals(previous)) {
            return false;
        }
        RuntimeStatus runtime = now.getRuntime();
        if (runtime == null || runtime.wedged() || runtime.activeTasks() == null || runtime.activeTasks() <= 0) {
            return false;
        }
        try {
            return previous == null || Instant.parse(latest).isAfter(Instant.parse(previous));
        } catch (DateTimeParseException e) {
            return true; // changed but not comparable: a new beat all the same
        }
    }

    private static DispatchStatus dispatchOf(Workspace ws) {
        return ws.getStatus() == null ? null : ws.getStatus().getDispatch();
    }

    private record Events(Listener listener) implements ResourceEventHandler<Workspace> {
        @Override
        public void onAdd(Workspace ws) {
            WorkspaceId key = WorkspaceId.of(ws);
            listener.policyChanged(key);
            listener.changed(key, ws);
        }

        @Override
        public void onUpdate(Workspace before, Workspace now) {
            WorkspaceId key = WorkspaceId.of(now);
            if (healthyHeartbeatObserved(before.getStatus(), now.getStatus())) {
                listener.healthyHeartbeat(key);
            }
            if (!Objects.equals(dispatchOf(before), dispatchOf(now))) {
                listener.policyChanged(key);
            }
            listener.changed(key, now);
        }

        @Override
        public void onDelete(Workspace ws, boolean deletedFinalStateUnknown) {
            WorkspaceId key = WorkspaceId.of(ws);
            listener.policyChanged(key);
            listener.deleted(key);
        }
    }
}
