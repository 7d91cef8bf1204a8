package dev.tether.bench;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 5, operator scale: N Workspaces already in the (embedded mock) API, then a cold operator
 * start (heartbeat endpoint + reconciler); timed until every Workspace has status.dispatch. Reports the
 * process's heap after GC and RSS before the operator starts (the mock API holding N Workspaces) and
 * once it has converged (plus N token Secrets, and the operator's caches and informers).
 */
class OperatorScaleBenchmark {
    static final String NAME = "operator-scale";

    @Test
    void run() {
        Bench.machine(NAME);
        int n = Bench.pick("workspaces", 200, 10_000);
        Duration poll = Duration.ofMillis(Bench.full() ? 1_000 : 200);
        try (BenchApi api = new BenchApi()) {
            long t0 = System.nanoTime();
            OperatorBench.createWorkspaces(api, "ws", n, "http://agent.invalid/a2a");
            Bench.print(NAME, "workspaces=%d createdInS=%.1f apiOnly heapAfterGcMiB=%d rssMiB=%d", n, (System.nanoTime() - t0) / 1e9,
                    Bench.heapAfterGcMiB(), Bench.rssMiB());
            long start = System.nanoTime();
            try (OperatorBench op = new OperatorBench(api, Duration.ofSeconds(30))) {
                long ready = System.nanoTime();
                long[] converged = {0};
                boolean done = BenchApi.await(Duration.ofMinutes(10), () -> {
                    converged[0] = op.converged();
                    if (converged[0] == n) {
                        return true;
                    }
                    BenchApi.await(poll, () -> false);
                    return false;
                });
                long end = System.nanoTime();
                long rss = Bench.rssMiB();
                Bench.print(NAME, "workspaces=%d converged=%d/%d readyInS=%.1f convergedInS=%.1f (polled every %d ms) "
                                + "heapAfterGcMiB=%d rssMiB=%d statusWrites=%d apiRequests=%d",
                        n, converged[0], n, (ready - start) / 1e9, (end - start) / 1e9, poll.toMillis(), Bench.heapAfterGcMiB(), rss,
                        api.statusWrites(), api.requests());
                if (!done) {
                    throw new AssertionError("did not converge in 10 minutes: " + converged[0] + "/" + n);
                }
            }
        }
    }
}
