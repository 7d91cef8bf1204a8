package dev.tether.bench;

import dev.tether.api.Workspace;
import dev.tether.embedded.MergePatchConformingDispatcher;
import dev.tether.testing.EmbeddedCluster;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The embedded mock Kubernetes API the benchmarks run on, counting (not recording) the writes to
 * Workspace status, plus the few Workspace operations they need. The mock server itself still keeps
 * every request it served in memory: a cost of the harness, not of Tether.
 */
final class BenchApi implements AutoCloseable {
    static final String NS = "bench";
    private final AtomicLong statusWrites = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    final EmbeddedCluster api = new EmbeddedCluster(new CountingDispatcher(), false);
    final KubernetesClient client = api.client();
    final Workspaces workspaces = new Workspaces(client, NS);

    long statusWrites() {
        return statusWrites.get();
    }

    long requests() {
        return requests.get();
    }

    /** A Workspace at {@code url}; the proxy benchmarks measure forwarding, so its task limit is as high as the CRD allows. */
    Workspace create(String name, String url) {
        return workspaces.create(name, spec -> {
            spec.setUrl(url);
            spec.setMaxConcurrentTasks(1000);
        });
    }

    /** The reconciler's resolved policy, written straight into status (the proxy benchmarks run without a reconciler). */
    void dispatchPolicy(String name, int idleSeconds) {
        workspaces.patchStatus(name, "{\"dispatch\": {\"idleTimeoutSeconds\": " + idleSeconds + ", \"source\": \"Runtime\"}}");
    }

    /** Polls every millisecond until {@code condition} holds; false after {@code timeout}. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        return await(timeout, Duration.ofMillis(1), condition);
    }

    /** Polls every {@code interval} (for conditions that cost a request) until {@code condition} holds; false after {@code timeout}. */
    static boolean await(Duration timeout, Duration interval, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            LockSupport.parkNanos(interval.toNanos());
        }
        return true;
    }

    static void require(Duration timeout, String what, BooleanSupplier condition) {
        require(timeout, Duration.ofMillis(1), what, condition);
    }

    static void require(Duration timeout, Duration interval, String what, BooleanSupplier condition) {
        if (!await(timeout, interval, condition)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }

    @Override
    public void close() {
        api.close();
    }

    private final class CountingDispatcher extends MergePatchConformingDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            requests.incrementAndGet();
            String path = request.getPath();
            if (!"GET".equals(request.getMethod()) && path.contains("/workspaces/") && path.contains("/status")) {
                statusWrites.incrementAndGet();
            }
            return super.dispatch(request);
        }
    }

}
