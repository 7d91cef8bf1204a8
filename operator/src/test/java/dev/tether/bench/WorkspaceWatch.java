package dev.tether.bench;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A watch on one namespace's Workspaces, as the API server reports them: counts MODIFIED events (each
 * write that changed a Workspace; in the benchmarks only status writes do) and keeps each Workspace's
 * distinct {@code status.lastHeartbeatTime} values. The heartbeat endpoint sets that field to its clock
 * on every write it makes and the reconciler never touches it, so the values are the endpoint's writes,
 * each with the instant it decided to write.
 */
final class WorkspaceWatch implements AutoCloseable {
    /** The endpoint's writes stamped within a window: how many, the most to one Workspace, and the shortest gap from one to that Workspace's write before it (null: none). */
    record Spacing(long writes, int mostToOneWorkspace, Duration shortestGap) {
    }

    private final AtomicLong modified = new AtomicLong();
    private final Map<String, NavigableSet<Instant>> stamps = new ConcurrentHashMap<>();
    private volatile WatcherException closedBy;
    private final Watch watch;

    WorkspaceWatch(KubernetesClient client, String namespace) {
        watch = client.resources(Workspace.class).inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Workspace ws) {
                if (action == Action.MODIFIED) {
                    modified.incrementAndGet();
                }
                Instant beat = ws.getStatus() == null ? null : ws.getStatus().lastHeartbeat();
                if (beat != null) {
                    stamps.computeIfAbsent(ws.getMetadata().getName(), k -> new ConcurrentSkipListSet<>()).add(beat);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                closedBy = cause;
            }
        });
    }

    long modified() {
        return modified.get();
    }

    /** Whether the watch ended before it was closed (then every figure from it is short). */
    boolean broken() {
        return closedBy != null;
    }

    Spacing spacing(Instant from, Instant to) {
        long writes = 0;
        int most = 0;
        Duration shortest = null;
        for (NavigableSet<Instant> beats : stamps.values()) {
            NavigableSet<Instant> within = beats.subSet(from, true, to, false);
            writes += within.size();
            most = Math.max(most, within.size());
            for (Instant beat : within) {
                Instant before = beats.lower(beat);
                Duration gap = before == null ? null : Duration.between(before, beat);
                if (gap != null && (shortest == null || gap.compareTo(shortest) < 0)) {
                    shortest = gap;
                }
            }
        }
        return new Spacing(writes, most, shortest);
    }

    @Override
    public void close() {
        watch.close();
    }
}
