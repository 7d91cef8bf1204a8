package dev.tether.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 3, heartbeat ingest: the operator role on the embedded mock API with N Workspaces (tokens
 * issued by its reconciler), driven by an open-loop generator at a fixed rate, round robin over the
 * workspaces. Three phases: prime (one material beat each), steady (the same beat again: only the
 * periodic lastHeartbeatTime refresh may write) and churn (every beat changes current_task, so every
 * beat must write). Reports latency from each beat's due time and Workspace status writes per beat
 * (both writers: heartbeat endpoint and reconciler), counted at the API.
 */
class HeartbeatIngestBenchmark {
    static final String NAME = "heartbeat-ingest";

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int n = Bench.pick("workspaces", 100, 10_000);
        int rate = Bench.pick("rate", 500, 5_000);
        int seconds = Bench.pick("seconds", 4, 20);
        // Every churned beat is a status write, and the mock API takes a few hundred writes/s: churn runs slower.
        int churnRate = Bench.pick("churnRate", 200, 400);
        Duration interval = Duration.ofSeconds(Bench.pick("interval", 10, 10));
        try (BenchApi api = new BenchApi(); OperatorBench op = new OperatorBench(api, interval)) {
            List<String> names = IntStream.range(0, n).mapToObj(i -> "hb-" + i).toList();
            long t0 = System.nanoTime();
            OperatorBench.createWorkspaces(api, "hb", n, "http://agent.invalid/a2a");
            Map<String, String> tokens = op.tokens(names, Duration.ofMinutes(10));
            Bench.print(NAME, "workspaces=%d createdWithTokensInS=%.1f", n, (System.nanoTime() - t0) / 1e9);
            // The registry authenticates from its own informer: wait until the last token is accepted.
            String last = names.get(n - 1);
            BenchApi.require(Duration.ofSeconds(60), "registry knows the tokens",
                    () -> op.heartbeat(tokens.get(last), OperatorBench.beat(last, "warm", 600)) == 200);

            long writes = api.statusWrites();
            FixedRate.Run prime = FixedRate.run(Math.min(rate, 2_000), n, Duration.ofMinutes(5),
                    i -> op.heartbeat(tokens.get(names.get(i)), OperatorBench.beat(names.get(i), "steady", 600)));
            settle(api);
            Bench.print(NAME, "phase=prime %s statusWritesPerBeat=%.3f", prime.summary(200),
                    (api.statusWrites() - writes) / (double) n);

            int count = rate * seconds;
            writes = api.statusWrites();
            FixedRate.Run steady = FixedRate.run(rate, count, Duration.ofSeconds(seconds * 5L + 60),
                    i -> op.heartbeat(tokens.get(names.get(i % n)), OperatorBench.beat(names.get(i % n), "steady", 600)));
            long steadyWrites = api.statusWrites() - writes;
            double intervals = Math.max(1.0, steady.wall().toNanos() / (double) interval.toNanos());
            Bench.print(NAME, "phase=steady targetPerS=%d %s statusWritesPerBeat=%.4f statusWritesPerWorkspacePerInterval=%.2f (interval %d s)",
                    rate, steady.summary(200), steadyWrites / (double) count, steadyWrites / (double) n / intervals, interval.toSeconds());

            writes = api.statusWrites();
            int churnCount = churnRate * seconds;
            FixedRate.Run churn = FixedRate.run(churnRate, churnCount, Duration.ofSeconds(seconds * 5L + 60),
                    i -> op.heartbeat(tokens.get(names.get(i % n)), OperatorBench.beat(names.get(i % n), "task-" + i, 600)));
            settle(api);
            Bench.print(NAME, "phase=churn targetPerS=%d %s statusWritesPerBeat=%.3f", churnRate, churn.summary(200),
                    (api.statusWrites() - writes) / (double) churnCount);
            Bench.print(NAME, "heapAfterGcMiB=%d rssMiB=%d apiRequestsServed=%d (the mock API keeps every one in memory)",
                    Bench.heapAfterGcMiB(), Bench.rssMiB(), api.requests());
        }
    }

    /** Waits (at most 30 s) until no status write has happened for a second: the reconciler has caught up. */
    private static void settle(BenchApi api) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long seen = -1;
        while (System.nanoTime() < end && seen != api.statusWrites()) {
            seen = api.statusWrites();
            BenchApi.await(Duration.ofSeconds(1), () -> false);
        }
    }
}
