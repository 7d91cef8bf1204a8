package dev.tether.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 5, operator scale: N Workspaces already in the API (here the embedded mock API), then a cold
 * operator start (heartbeat endpoint + reconciler); timed until every Workspace has status.dispatch.
 * Reports the process's heap after GC and RSS before the operator starts and once it has converged. On
 * the mock API the process also holds the API itself, and the mock's store scans every stored object on
 * every request: {@link OperatorScaleOnRealApiBenchmark} runs the same against a real kube-apiserver.
 */
class OperatorScaleBenchmark {
    static final String NAME = "operator-scale";

    @Test
    void run() {
        Bench.machine(NAME);
        try (BenchApi api = new BenchApi()) {
            converge(NAME, api.client, BenchApi.NS, Bench.pick("workspaces", 200, 10_000));
            Bench.print(NAME, "mockApi statusWrites=%d requests=%d", api.statusWrites(), api.requests());
        }
    }

    /** Creates {@code n} Workspaces in {@code namespace}, starts an operator for it and times its convergence. */
    static void converge(String name, KubernetesClient client, String namespace, int n) {
        long t0 = System.nanoTime();
        OperatorBench.createWorkspaces(client, namespace, "ws", n, "http://agent.invalid/a2a");
        double createdInS = (System.nanoTime() - t0) / 1e9;
        try (ConvergenceWatch convergence = new ConvergenceWatch(client, namespace)) {
            BenchApi.require(Duration.ofMinutes(1), "the harness's watch has listed the workspaces", convergence::synced);
            // Taken with the harness's own watch in place, so the difference at convergence is the operator's.
            Bench.print(name, "workspaces=%d createdInS=%.1f beforeOperator heapAfterGcMiB=%d rssMiB=%d", n, createdInS,
                    Bench.heapAfterGcMiB(), Bench.rssMiB());
            long start = System.nanoTime();
            try (OperatorBench op = new OperatorBench(client, namespace, Duration.ofSeconds(30))) {
                long ready = System.nanoTime();
                boolean done = BenchApi.await(Duration.ofMinutes(10), () -> convergence.count() == n);
                long end = System.nanoTime();
                long rss = Bench.rssMiB();
                Bench.print(name, "workspaces=%d converged=%d/%d readyInS=%.1f convergedInS=%.1f (watched) heapAfterGcMiB=%d rssMiB=%d",
                        n, convergence.count(), n, (ready - start) / 1e9, (end - start) / 1e9, Bench.heapAfterGcMiB(), rss);
                if (!done) {
                    throw new AssertionError("did not converge in 10 minutes: " + convergence.count() + "/" + n);
                }
            }
        }
    }
}
