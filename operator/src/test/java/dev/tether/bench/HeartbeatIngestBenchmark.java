package dev.tether.bench;

import dev.tether.heartbeat.WriteEconomy;
import dev.tether.kube.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 3, heartbeat ingest: the operator role with N Workspaces (tokens issued by its reconciler),
 * driven by an open-loop generator at a fixed rate, round robin over the workspaces. Three phases:
 * prime (one material beat each), steady (the same beat again: only the periodic lastHeartbeatTime
 * refresh may write) and churn (every beat changes current_task, so every beat must write). Reports
 * latency from each beat's due time, Workspace status writes (counted at the API, and split between
 * the heartbeat endpoint, by its own metric, and the reconciler), how the endpoint's refreshes were
 * spaced per workspace, and the CPU the phase took. Here on the embedded mock API, whose store scans
 * every stored object per request; {@link HeartbeatIngestOnRealApiBenchmark} runs the same against a
 * real kube-apiserver.
 */
class HeartbeatIngestBenchmark {
    static final String NAME = "heartbeat-ingest";
    /** The idle window the beats declare: a third of it (200 s) exceeds the interval, so the interval alone says when a refresh is due. */
    static final int IDLE_SECONDS = 600;

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        try (BenchApi api = new BenchApi()) {
            ingest(NAME, api.client, BenchApi.NS, () -> new ApiWrites(api.statusWrites(), Double.NaN));
            Bench.print(NAME, "mockApi requestsServed=%d (the mock API keeps every one in memory)", api.requests());
        }
    }

    /**
     * The benchmark on any API: creates the Workspaces in {@code namespace}, starts an operator for it and
     * runs the phases, measuring status writes with {@code apiWrites}.
     */
    static void ingest(String name, KubernetesClient client, String namespace, Supplier<ApiWrites> apiWrites) throws Exception {
        int n = Bench.pick("workspaces", 100, 10_000);
        int rate = Bench.pick("rate", 500, 5_000);
        // The production default of --heartbeat-status-interval.
        Duration interval = Duration.ofSeconds(Bench.pick("interval", 60, 60));
        Duration refreshEvery = WriteEconomy.refreshEvery(interval, IDLE_SECONDS);
        // At full scale prime spreads its writes over one refresh period and steady lasts one: the refreshes
        // then fall due evenly, as in a fleet whose runtimes started at different times, and each workspace
        // is due once. Smoke runs are shorter than the period, so no refresh is due in them.
        int period = (int) refreshEvery.toSeconds();
        int primeSeconds = Bench.pick("primeSeconds", 2, period);
        int seconds = Bench.pick("seconds", 4, period);
        // Every churned beat is a status write: churn runs slower.
        int churnRate = Bench.pick("churnRate", 200, 400);
        int churnSeconds = Bench.pick("churnSeconds", 4, 20);
        // The operator gets a client (so a connection) of its own, as in its own process: the harness's
        // creates, lists and watch do not queue with its writes.
        try (KubernetesClient own = KubeClients.forConfig(client.getConfiguration());
                OperatorBench op = new OperatorBench(own, namespace, interval)) {
            List<String> names = IntStream.range(0, n).mapToObj(i -> "hb-" + i).toList();
            long t0 = System.nanoTime();
            OperatorBench.createWorkspaces(client, namespace, "hb", n, "http://agent.invalid/a2a");
            Map<String, String> tokens = op.tokens(names, Duration.ofMinutes(10));
            Bench.print(name, "workspaces=%d createdWithTokensInS=%.1f heartbeatStatusInterval=%ds refreshEvery=%ds",
                    n, (System.nanoTime() - t0) / 1e9, interval.toSeconds(), refreshEvery.toSeconds());
            // The registry authenticates from its own informer: wait until the last token is accepted.
            String last = names.get(n - 1);
            BenchApi.require(Duration.ofSeconds(60), "registry knows the tokens",
                    () -> op.heartbeat(tokens.get(last), OperatorBench.beat(namespace, last, "warm", IDLE_SECONDS)) == 200);
            try (WorkspaceWatch watch = new WorkspaceWatch(client, namespace)) {
                Phases phases = new Phases(name, op, watch, apiWrites, i -> tokens.get(names.get(i % n)));
                IntFunction<String> same = i -> OperatorBench.beat(namespace, names.get(i % n), "steady", IDLE_SECONDS);
                phases.settle(); // the reconciler's writes for the new Workspaces are not the phases'

                phases.run("prime", n / (double) primeSeconds, n, same);

                Phase steady = phases.run("steady", rate, rate * seconds, same);
                WorkspaceWatch.Spacing spacing = watch.spacing(steady.from(), steady.to());
                double periods = Duration.between(steady.from(), steady.to()).toNanos() / (double) refreshEvery.toNanos();
                Bench.print(name, "phase=steady refreshWritesPerWorkspacePerInterval=%.2f (%d refreshes / %d workspaces / %.2f intervals of %d s)"
                                + " endpointWritesSeen=%d mostToOneWorkspace=%d shortestGapS=%s (economy: >= %d s)%s",
                        steady.refresh() / (double) n / periods, steady.refresh(), n, periods, refreshEvery.toSeconds(),
                        spacing.writes(), spacing.mostToOneWorkspace(),
                        spacing.shortestGap() == null ? "-" : String.format(Locale.ROOT, "%.2f", spacing.shortestGap().toNanos() / 1e9),
                        refreshEvery.toSeconds(), watch.broken() ? " WATCH BROKE: figures from it are short" : "");

                phases.run("churn", churnRate, churnRate * churnSeconds,
                        i -> OperatorBench.beat(namespace, names.get(i % n), "task-" + i, IDLE_SECONDS));
            }
            Bench.print(name, "heapAfterGcMiB=%d rssMiB=%d", Bench.heapAfterGcMiB(), Bench.rssMiB());
        }
    }

    /** Workspace status write requests as the API counts them (both writers), and the seconds it spent on them in all (NaN: not measured). */
    record ApiWrites(long count, double seconds) {
    }

    /** One phase's window on the wall clock and the endpoint's refresh writes in it. */
    record Phase(Instant from, Instant to, long refresh) {
    }

    /** Runs phases against one operator and prints two lines for each: beats and writes, then CPU. */
    private record Phases(String name, OperatorBench op, WorkspaceWatch watch, Supplier<ApiWrites> apiWrites, IntFunction<String> token) {
        Phase run(String phase, double perSecond, int count, IntFunction<String> beat) throws Exception {
            ApiWrites api = apiWrites.get();
            String metrics = op.metrics();
            long changes = watch.modified();
            long cpu = Bench.processCpuNanos();
            long childCpu = Bench.childProcessesCpuNanos();
            Instant from = Instant.now();
            FixedRate.Run run = FixedRate.run(perSecond, count, Duration.ofSeconds((long) (count / perSecond) * 5 + 60),
                    i -> op.heartbeat(token.apply(i), beat.apply(i)));
            Instant to = Instant.now();
            double process = (Bench.processCpuNanos() - cpu) / 1e9;
            double children = (Bench.childProcessesCpuNanos() - childCpu) / 1e9;
            settle();
            ApiWrites apiAfter = apiWrites.get();
            String after = op.metrics();
            long material = (long) delta(metrics, after, "tether_status_patches_total", "reason=\"material\"");
            long refresh = (long) delta(metrics, after, "tether_status_patches_total", "reason=\"refresh\"");
            long writes = apiAfter.count() - api.count();
            Bench.print(name, "phase=%s targetPerS=%.0f %s statusWritesPerBeat=%.4f endpointWrites material=%d refresh=%d reconcilerWrites=%d"
                            + " workspaceChangesWatched=%d writeMeanMs endpoint=%s api=%s",
                    phase, perSecond, run.summary(200), writes / (double) count, material, refresh, writes - material - refresh,
                    watch.modified() - changes,
                    mean(1e3 * delta(metrics, after, "tether_status_patch_duration_seconds_sum"),
                            delta(metrics, after, "tether_status_patch_duration_seconds_count")),
                    mean(1e3 * (apiAfter.seconds() - api.seconds()), writes));
            double generator = run.generatorCpu().toNanos() / 1e9;
            double wall = run.wall().toNanos() / 1e9;
            Bench.print(name, "phase=%s cpuS process=%.1f (%.2f cores) generator=%.1f (%.0f%% of the process; %d calls overflowed, uncounted)"
                            + " childProcesses=%.1f (%.2f cores) wallS=%.1f load=%s",
                    phase, process, process / wall, generator, 100 * generator / process, run.overflowed(), children, children / wall,
                    wall, Bench.load());
            return new Phase(from, to, refresh);
        }

        /** "-" where there is nothing to average or nothing measured. */
        private static String mean(double sum, double count) {
            return count > 0 && Double.isFinite(sum) ? String.format(Locale.ROOT, "%.1f", sum / count) : "-";
        }

        private static double delta(String before, String after, String metric, String... labels) {
            return Bench.metricSum(after, metric, labels) - Bench.metricSum(before, metric, labels);
        }

        /** Waits (at most 30 s) until no status write has happened for a second: the writers and the watch have caught up. */
        void settle() {
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long seen = -1;
            while (System.nanoTime() < end && seen != apiWrites.get().count() + watch.modified()) {
                seen = apiWrites.get().count() + watch.modified();
                BenchApi.await(Duration.ofSeconds(1), () -> false);
            }
        }
    }
}
