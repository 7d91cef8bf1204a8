package dev.tether.bench;

import dev.tether.heartbeat.WriteEconomy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 3, heartbeat ingest. The operator role (heartbeat endpoint + reconciler) runs in a JVM of its own, started
 * through the command line ({@code tether operator}, the chart's operator JVM options, {@link TetherProcess}) and
 * pointed at the API by a kubeconfig; N Workspaces, whose token Secrets its reconciler issues. The load comes from
 * outside: wrk with {@code heartbeat.lua}, each beat for one workspace with its token, round robin. Phases:
 * <ul>
 *   <li>prime: one beat per workspace (a material change: the first report), spread over one refresh period, so that the
 *   refreshes later fall due evenly, as in a fleet whose runtimes started at different times;</li>
 *   <li>steady: the same beats again, as fast as the operator answers; only the periodic {@code lastHeartbeatTime}
 *   refresh may write (each workspace at most once per refresh period);</li>
 *   <li>material change: every beat a new {@code current_task}: every beat is written;</li>
 *   <li>churn: the declared idle window alternates per lap over the workspaces: each beat is written and the reconciler
 *   writes the new {@code status.dispatch} after it (runtimes restarting with new metadata).</li>
 * </ul>
 * Each phase reports beats/s answered, answers that were not 200 (wrk's non-2xx and socket errors, and the endpoint's
 * own count by result), status writes counted at the API (split into the endpoint's, by reason, and the reconciler's),
 * write latency, and the CPU of the operator, of wrk and of the API server. Here on the embedded mock API (whose store
 * scans every stored object per request); {@link HeartbeatIngestOnRealApiBenchmark} runs the same against a real
 * kube-apiserver.
 */
class HeartbeatIngestBenchmark {
    static final String NAME = "heartbeat-ingest";
    /** The idle window the beats declare: a third of it (200 s) exceeds the interval, so the interval alone says when a refresh is due. */
    static final int IDLE_SECONDS = 600;
    static final MediaType JSON = MediaType.get("application/json");
    private static final Pattern RESULT = Pattern.compile("result=\"([^\"]+)\"");

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        try (BenchApi api = new BenchApi()) {
            ingest(NAME, api.client, BenchApi.NS, api.api.kubeconfig(), () -> new ApiWrites(api.statusWrites(), Double.NaN),
                    Bench::processCpuNanos, "mockApiInThisJvm");
            Bench.print(NAME, "mockApi requestsServed=%d (the mock API keeps every one in memory)", api.requests());
        }
    }

    /** Workspace status write requests as the API counts them (both writers), and the seconds it spent on them in all (NaN: not measured). */
    record ApiWrites(long count, double seconds) {
    }

    /**
     * The benchmark on any API: creates the Workspaces in {@code namespace}, starts an operator for it in its own JVM and
     * runs the phases, counting status writes with {@code apiWrites} and the API's CPU with {@code apiCpuNanos}.
     */
    static void ingest(String name, KubernetesClient client, String namespace, String kubeconfig, Supplier<ApiWrites> apiWrites,
            Supplier<Long> apiCpuNanos, String apiCpuWhat) throws Exception {
        int n = Bench.pick("workspaces", 300, 10_000);
        // The production default of --heartbeat-status-interval.
        Duration interval = Duration.ofSeconds(Bench.pick("interval", 60, 60));
        Duration refreshEvery = WriteEconomy.refreshEvery(interval, IDLE_SECONDS);
        // At full scale prime spreads its writes over one refresh period and steady lasts one: the refreshes then fall
        // due evenly and each workspace is due once. Smoke runs are shorter than the period: no refresh is due in them.
        int period = (int) refreshEvery.toSeconds();
        int primeSeconds = Bench.pick("primeSeconds", 3, period);
        int seconds = Bench.pick("seconds", 5, period);
        int materialSeconds = Bench.pick("materialSeconds", 5, 20);
        int churnSeconds = Bench.pick("churnSeconds", 5, 20);
        int connections = Bench.pick("connections", 64, 64);
        int threads = Bench.pick("wrkThreads", 2, 2);
        // The chart's limit is 512Mi; its README asks for 1Gi from about 5,000 Workspaces.
        String memory = System.getProperty("bench.operatorMemory", "1g");
        Path dir = Files.createTempDirectory("tether-bench-heartbeat");
        OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).retryOnConnectionFailure(false).build();
        try (TetherProcess op = TetherProcess.operator("operator", kubeconfig, dir, http, namespace, memory, interval)) {
            try {
                op.awaitReady();
                List<String> names = IntStream.range(0, n).mapToObj(i -> "hb-" + i).toList();
                long t0 = System.nanoTime();
                OperatorBench.createWorkspaces(client, namespace, "hb", n, "http://agent.invalid/a2a");
                Map<String, String> tokens = OperatorBench.tokens(client, namespace, names, Duration.ofMinutes(10));
                Path tokenFile = Files.write(dir.resolve("tokens.txt"),
                        names.stream().map(ws -> namespace + "/" + ws + " " + tokens.get(ws)).toList());
                Bench.print(name, "workspaces=%d createdWithTokensInS=%.1f heartbeatStatusInterval=%ds refreshEvery=%ds operator pid=%d "
                                + "jvmArgs=%s; wrk -t%d -c%d; output in %s", n, (System.nanoTime() - t0) / 1e9, interval.toSeconds(),
                        refreshEvery.toSeconds(), op.jvm.pid(), op.jvmArgs, threads, connections, dir);
                // The registry authenticates from its own informer: wait until the last token is accepted.
                String last = names.get(n - 1);
                BenchApi.require(Duration.ofSeconds(60), TetherProcess.POLL, "registry knows the tokens",
                        () -> heartbeat(http, op.baseUrl(), tokens.get(last), namespace + "/" + last) == 200);
                try (WorkspaceWatch watch = new WorkspaceWatch(client, namespace)) {
                    Phases phases = new Phases(name, op, watch, apiWrites, apiCpuNanos, apiCpuWhat,
                            Map.of("HB_TOKENS", tokenFile.toString(), "HB_THREADS", Integer.toString(threads),
                                    "HB_IDLE", Integer.toString(IDLE_SECONDS)), threads, connections);
                    phases.settle(); // the reconciler's writes for the new Workspaces are not the phases'

                    // A little faster than one lap per period: every workspace is primed; the last few beats repeat (no write).
                    phases.run("prime", n / (primeSeconds * 0.95), primeSeconds);

                    Phase steady = phases.run("steady", 0, seconds);
                    WorkspaceWatch.Spacing spacing = watch.spacing(steady.from(), steady.to());
                    double periods = Duration.between(steady.from(), steady.to()).toNanos() / (double) refreshEvery.toNanos();
                    Bench.print(name, "phase=steady refreshWritesPerWorkspacePerInterval=%.2f (%d refreshes / %d workspaces / %.2f intervals "
                                    + "of %d s) endpointWritesSeen=%d mostToOneWorkspace=%d shortestGapS=%s (economy: >= %d s)%s",
                            steady.refresh() / (double) n / periods, steady.refresh(), n, periods, refreshEvery.toSeconds(),
                            spacing.writes(), spacing.mostToOneWorkspace(),
                            spacing.shortestGap() == null ? "-" : String.format(Locale.ROOT, "%.2f", spacing.shortestGap().toNanos() / 1e9),
                            refreshEvery.toSeconds(), watch.broken() ? " WATCH BROKE: figures from it are short" : "");

                    phases.run("material", 0, materialSeconds);
                    phases.run("churn", 0, churnSeconds);
                }
                Bench.print(name, "operator heapAfterGcMiB=%.0f rssMiB=%d", op.heapAfterGcMiB(), Bench.rssMiB(op.jvm.pid()));
            } catch (Throwable e) {
                op.jvm.printOutput();
                throw e;
            }
        }
    }

    /** One beat (unchanged from the prime's, so no write once primed), its status; -1 when it fails. */
    private static int heartbeat(OkHttpClient http, String baseUrl, String token, String workspace) {
        String body = "{\"workspace_id\":\"" + workspace + "\",\"current_task\":\"warm\",\"runtime_metadata\":{\"capabilities\":{},"
                + "\"idle_timeout_seconds\":" + IDLE_SECONDS + "}}";
        Request request = new Request.Builder().url(baseUrl + "/registry/heartbeat").header("Authorization", "Bearer " + token)
                .post(RequestBody.create(body, JSON)).build();
        try (Response r = http.newCall(request).execute()) {
            r.body().bytes();
            return r.code();
        } catch (IOException e) {
            return -1;
        }
    }

    /** One phase's window on the wall clock and the endpoint's refresh writes in it. */
    record Phase(Instant from, Instant to, long refresh) {
    }

    /** Runs phases against one operator and prints two lines for each: beats and writes, then CPU. */
    private record Phases(String name, TetherProcess op, WorkspaceWatch watch, Supplier<ApiWrites> apiWrites, Supplier<Long> apiCpuNanos,
            String apiCpuWhat, Map<String, String> env, int threads, int connections) {
        /** {@code phase} of heartbeat.lua for {@code seconds}, at {@code rate} beats/s or (0) as fast as the operator answers. */
        Phase run(String phase, double rate, int seconds) throws Exception {
            ApiWrites api = apiWrites.get();
            String metrics = op.metrics();
            long changes = watch.modified();
            long opCpu = Bench.cpuNanos(op.jvm.pid());
            long apiCpu = apiCpuNanos.get();
            Map<String, String> vars = new TreeMap<>(env);
            vars.put("HB_PHASE", phase);
            vars.put("HB_RATE", String.format(Locale.ROOT, "%.1f", rate));
            Instant from = Instant.now();
            Wrk wrk = Wrk.run("heartbeat.lua", op.baseUrl(), threads, connections, seconds, vars);
            Instant to = Instant.now();
            double wall = Duration.between(from, to).toNanos() / 1e9;
            double operator = (Bench.cpuNanos(op.jvm.pid()) - opCpu) / 1e9;
            double apiServer = (apiCpuNanos.get() - apiCpu) / 1e9;
            settle();
            ApiWrites apiAfter = apiWrites.get();
            String after = op.metrics();
            long material = (long) delta(metrics, after, "tether_status_patches_total", "reason=\"material\"");
            long refresh = (long) delta(metrics, after, "tether_status_patches_total", "reason=\"refresh\"");
            long writes = apiAfter.count() - api.count();
            Bench.print(name, "phase=%s %s beats=%d beatsPerS=%.0f p50Ms=%.2f p99Ms=%.2f non2xx=%d socketErrors=%d endpointResults=%s "
                            + "statusWrites=%d perBeat=%.4f endpoint material=%d refresh=%d reconciler=%d workspaceChangesWatched=%d "
                            + "writeMeanMs endpoint=%s api=%s",
                    phase, rate > 0 ? String.format(Locale.ROOT, "paced=%.0f/s", rate) : "saturated", wrk.requests(), wrk.rps(), wrk.p50Ms(),
                    wrk.p99Ms(), wrk.non2xx(), wrk.socketErrors(), results(metrics, after), writes, writes / (double) Math.max(1, wrk.requests()),
                    material, refresh, writes - material - refresh, watch.modified() - changes,
                    mean(1e3 * delta(metrics, after, "tether_status_patch_duration_seconds_sum"),
                            delta(metrics, after, "tether_status_patch_duration_seconds_count")),
                    mean(1e3 * (apiAfter.seconds() - api.seconds()), writes));
            Bench.print(name, "phase=%s cpuS operator=%.1f (%.2f cores, %.1f us per beat) wrk=%.1f (%.2f cores) %s=%.1f (%.2f cores) wallS=%.1f "
                            + "load=%s",
                    phase, operator, operator / wall, operator * 1e6 / Math.max(1, wrk.requests()), wrk.cpuSeconds(),
                    wrk.cpuSeconds() / wall, apiCpuWhat, apiServer, apiServer / wall, wall, Bench.load());
            return new Phase(from, to, refresh);
        }

        /** The endpoint's heartbeat answers in the phase by result (accepted, written, unauthorized, unavailable, ...). */
        private static String results(String before, String after) {
            Map<String, Long> counts = new TreeMap<>();
            for (String line : after.split("\n")) {
                Matcher m = RESULT.matcher(line);
                if (line.startsWith("tether_registry_requests_total{") && line.contains("endpoint=\"heartbeat\"") && m.find()) {
                    String label = "result=\"" + m.group(1) + "\"";
                    long d = (long) delta(before, after, "tether_registry_requests_total", "endpoint=\"heartbeat\"", label);
                    if (d != 0) {
                        counts.put(m.group(1), d);
                    }
                }
            }
            return counts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
        }

        /** "-" where there is nothing to average or nothing measured. */
        private static String mean(double sum, double count) {
            return count > 0 && Double.isFinite(sum) ? String.format(Locale.ROOT, "%.1f", sum / count) : "-";
        }

        private static double delta(String before, String after, String metric, String... labels) {
            return Bench.metricSum(after, metric, labels) - Bench.metricSum(before, metric, labels);
        }

        /** Waits (at most 60 s) until no status write has happened for a second: the writers and the watch have caught up. */
        void settle() {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long seen = -1;
            while (System.nanoTime() < end && seen != apiWrites.get().count() + watch.modified()) {
                seen = apiWrites.get().count() + watch.modified();
                BenchApi.await(Duration.ofSeconds(1), () -> false);
            }
        }
    }
}
