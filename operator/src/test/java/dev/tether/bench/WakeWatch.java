package dev.tether.bench;

import dev.tether.activity.ActivityLease;
import dev.tether.api.HibernationState;
import dev.tether.api.HibernationStatus;
import dev.tether.api.Workspace;
import dev.tether.proxy.admission.WakeRule;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * What the API server reports about one provisioned workspace while it wakes, each moment taken with this process's wall
 * clock ({@link Instant#now()}, microseconds) when one of its watches delivered the event: the write itself plus the
 * watch's delivery, as an informer of the operator's or the proxy's would see it. Between {@link #arm()} and the next
 * arm it records the first of: an activity Lease written, the Deployment asking for a replica, status.hibernation
 * Waking, a ready endpoint in the workspace's EndpointSlices, a heartbeat recorded since the wake (status.lastHeartbeatTime
 * ≥ status.hibernation.since while Waking), and the moment the proxy's own rule ({@link WakeRule}) stops holding calls
 * on what the watches have delivered.
 */
final class WakeWatch implements AutoCloseable {
    /** One wake's moments; null where not seen. */
    record Wake(Instant lease, Instant scaledUp, Instant waking, Instant endpointReady, Instant heartbeat, Instant ready) {
    }

    private final String workspace;
    private final List<Watch> watches;
    private Workspace latest;
    private final Set<String> readySlices = new HashSet<>();
    private Moments armed;

    private static final class Moments {
        Instant lease;
        Instant scaledUp;
        Instant waking;
        Instant endpointReady;
        Instant heartbeat;
        Instant ready;

        Wake wake() {
            return new Wake(lease, scaledUp, waking, endpointReady, heartbeat, ready);
        }
    }

    /** @param benchmark the name its BENCH lines carry, for a watch that ends early */
    WakeWatch(String benchmark, KubernetesClient client, String namespace, String activityNamespace, String workspace) {
        this.workspace = workspace;
        this.watches = List.of(
                client.resources(Workspace.class).inNamespace(namespace).withName(workspace).watch(watcher(benchmark, this::onWorkspace)),
                client.apps().deployments().inNamespace(namespace).withName(workspace).watch(watcher(benchmark, this::onDeployment)),
                client.genericKubernetesResources(slices(client)).inNamespace(namespace)
                        .withLabel("kubernetes.io/service-name", workspace).watch(watcher(benchmark, this::onSlice)),
                client.leases().inNamespace(activityNamespace).withLabelSelector(ActivityLease.SELECTOR).watch(watcher(benchmark, this::onLease)));
    }

    /** From now on, records the next wake's moments. */
    synchronized void arm() {
        armed = new Moments();
    }

    /** The armed wake's moments so far. */
    synchronized Wake wake() {
        return armed.wake();
    }

    private synchronized void onWorkspace(Watcher.Action action, Workspace ws) {
        latest = action == Watcher.Action.DELETED ? null : ws;
        HibernationStatus sleep = ws.getStatus() == null ? null : ws.getStatus().getHibernation();
        if (armed != null && sleep != null && sleep.state() == HibernationState.Waking) {
            Instant now = Instant.now();
            armed.waking = first(armed.waking, now);
            Instant beat = ws.getStatus().lastHeartbeat();
            if (beat != null && sleep.sinceTime() != null && !beat.isBefore(sleep.sinceTime())) {
                armed.heartbeat = first(armed.heartbeat, now);
            }
        }
        judge();
    }

    private synchronized void onDeployment(Watcher.Action action, Deployment d) {
        Integer replicas = d.getSpec() == null ? null : d.getSpec().getReplicas();
        if (armed != null && action != Watcher.Action.DELETED && replicas != null && replicas > 0) {
            armed.scaledUp = first(armed.scaledUp, Instant.now());
        }
    }

    /** A ready endpoint in any slice of the workspace's Service, v1 or v1beta1 (the same fields). */
    private synchronized void onSlice(Watcher.Action action, GenericKubernetesResource slice) {
        List<?> endpoints = action == Watcher.Action.DELETED ? List.of() : Objects.requireNonNullElse(slice.get("endpoints"), List.of());
        boolean ready = endpoints.stream().anyMatch(e -> e instanceof Map<?, ?> endpoint
                && endpoint.get("conditions") instanceof Map<?, ?> conditions && Boolean.TRUE.equals(conditions.get("ready")));
        if (ready) {
            readySlices.add(slice.getMetadata().getName());
        } else {
            readySlices.remove(slice.getMetadata().getName());
        }
        if (armed != null && !readySlices.isEmpty()) {
            armed.endpointReady = first(armed.endpointReady, Instant.now());
        }
        judge();
    }

    private synchronized void onLease(Watcher.Action action, Lease lease) {
        boolean ours = ActivityLease.workspaceOf(lease).map(id -> id.name().equals(workspace)).orElse(false);
        if (armed != null && ours && action != Watcher.Action.DELETED) {
            armed.lease = first(armed.lease, Instant.now());
        }
    }

    /** Ready as the proxy decides it, on what these watches have delivered. */
    private void judge() {
        if (armed != null && armed.scaledUp != null && latest != null && !WakeRule.mustHold(latest, () -> !readySlices.isEmpty())) {
            armed.ready = first(armed.ready, Instant.now());
        }
    }

    private static Instant first(Instant seen, Instant now) {
        return seen != null ? seen : now;
    }

    /** discovery.k8s.io/v1 unless the server serves v1beta1 and not v1 (before 1.21), as the proxy and the node stand-in read them. */
    private static ResourceDefinitionContext slices(KubernetesClient client) {
        var group = client.getApiGroup("discovery.k8s.io");
        boolean v1 = group == null || group.getVersions() == null || group.getVersions().stream().noneMatch(v -> "v1beta1".equals(v.getVersion()))
                || group.getVersions().stream().anyMatch(v -> "v1".equals(v.getVersion()));
        return new ResourceDefinitionContext.Builder().withGroup("discovery.k8s.io").withVersion(v1 ? "v1" : "v1beta1")
                .withKind("EndpointSlice").withPlural("endpointslices").withNamespaced(true).build();
    }

    private static <T> Watcher<T> watcher(String benchmark, BiConsumer<Watcher.Action, T> handler) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                handler.accept(action, resource);
            }

            @Override
            public void onClose(WatcherException cause) {
                if (cause != null) {
                    Bench.print(benchmark, "WATCH BROKE (this wake's figures are short): %s", cause);
                }
            }
        };
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }

    static double ms(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e6;
    }
}
