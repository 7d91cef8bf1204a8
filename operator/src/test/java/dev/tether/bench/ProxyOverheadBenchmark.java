package dev.tether.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 1, proxy overhead vs nginx. One fast agent (nginx answering a fixed JSON-RPC result, 2 workers, a process of
 * its own) reached three ways by wrk with the same ~1 KiB JSON-RPC POST: direct, through nginx proxy_pass (keep-alive
 * upstream; a second nginx process with W workers) and through Tether's dispatch proxy ({@code tether proxy
 * --event-loops W} in a JVM of its own with the chart's proxy JVM options, {@link TetherProcess}, on the embedded mock
 * API, idle during the measurement). For each W (default 1 and 2): saturated rounds (the three paths back to back, the
 * order rotating per round) give throughput, the Tether/nginx ratio per round and each serving process's CPU per
 * request; then paced rounds at half of Tether's saturated median (jittered whole-millisecond delays, connections sized
 * to the rate: see post.lua) give p50/p99 and what each proxy adds over direct. Needs wrk and nginx on the PATH
 * (operator/src/bench/run.sh installs them).
 */
class ProxyOverheadBenchmark {
    static final String NAME = "proxy-overhead";
    static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\","
            + "\"messageId\":\"m-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"warm\"}]}}}";
    static final List<String> PATHS = List.of("direct", "nginx", "tether");

    /** One wrk run of one path with the CPU its serving process used meanwhile. */
    record Run(Wrk wrk, double cpuSeconds, double systemCpuSeconds, int seconds) {
        double cpuUsPerRequest() {
            return cpuSeconds * 1e6 / Math.max(1, wrk.requests());
        }

        double systemUsPerRequest() {
            return systemCpuSeconds * 1e6 / Math.max(1, wrk.requests());
        }

        double cores() {
            return cpuSeconds / seconds;
        }
    }

    /** A path: its URL and the CPU clocks (all, system) of the process that serves it. */
    record Target(String url, LongSupplier cpuNanos, LongSupplier systemCpuNanos) {
    }

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int rounds = Bench.pick("rounds", 1, 5);
        int seconds = Bench.pick("seconds", 2, 10);
        int connections = Bench.pick("connections", 64, 64);
        int warmupSeconds = Bench.pick("warmupSeconds", 3, 15);
        int pacedDelayMs = Bench.pick("pacedDelayMs", 5, 5);
        int[] loops = Arrays.stream(System.getProperty("bench.loops", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        Path dir = Files.createTempDirectory("tether-bench-overhead");
        OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
        int agentPort = Bench.freePort();
        try (Nginx agent = Nginx.start("nginx-agent.conf.template", dir, "agent", Map.of("AGENT_PORT", Integer.toString(agentPort)), 2);
                BenchApi api = new BenchApi()) {
            String agentUrl = "http://127.0.0.1:" + agentPort + "/a2a";
            api.create("fast", agentUrl);
            Bench.print(NAME, "agent nginx workers=2 pids=%s; output in %s", agent.workers(), dir);
            for (int w : loops) {
                int nginxPort = Bench.freePort();
                Map<String, String> vars = Map.of("AGENT_PORT", Integer.toString(agentPort), "PROXY_PORT", Integer.toString(nginxPort),
                        "STREAM_PORT", Integer.toString(Bench.freePort()));
                try (Nginx nginx = Nginx.start("nginx-proxy.conf.template", dir, "nginx-w" + w, vars, w);
                        TetherProcess tether = TetherProcess.proxy("proxy-w" + w, api.api.kubeconfig(), dir, http, w)) {
                    try {
                        tether.awaitReady();
                        BenchApi.require(Duration.ofSeconds(30), TetherProcess.POLL, "fast routed by the proxy",
                                () -> post(http, tether.url("fast")) == 200);
                        Bench.print(NAME, "loops=%d nginx worker_processes=%d tether --event-loops %d pid=%d jvmArgs=%s", w, w, w,
                                tether.pid(), tether.jvmArgs);
                        Map<String, Target> targets = new LinkedHashMap<>();
                        targets.put("direct", new Target(agentUrl, agent::workersCpuNanos, agent::workersSystemCpuNanos));
                        targets.put("nginx", new Target("http://127.0.0.1:" + nginxPort + "/a2a", nginx::workersCpuNanos,
                                nginx::workersSystemCpuNanos));
                        targets.put("tether", new Target(tether.url("fast"), () -> Bench.cpuNanos(tether.pid()),
                                () -> Bench.systemCpuNanos(tether.pid())));
                        compare(w, targets, rounds, seconds, connections, warmupSeconds, pacedDelayMs);
                    } catch (Throwable e) {
                        tether.jvm.printOutput();
                        throw e;
                    }
                }
            }
        }
    }

    private static void compare(int w, Map<String, Target> targets, int rounds, int seconds, int connections, int warmupSeconds,
            int pacedDelayMs) throws Exception {
        for (Target t : targets.values()) { // warm-up: JIT (C2 needs several seconds of traffic), connection pools
            Wrk.run("post.lua", t.url(), 2, connections, warmupSeconds, Map.of());
        }
        Map<String, List<Run>> saturated = new LinkedHashMap<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (String path : rotated(r)) {
                Run run = measure(targets.get(path), connections, seconds, Map.of());
                saturated.computeIfAbsent(path, k -> new ArrayList<>()).add(run);
                Bench.print(NAME, "loops=%d round=%d mode=saturated connections=%d target=%s rps=%.0f p50Ms=%.2f p99Ms=%.2f non2xx=%d "
                                + "socketErrors=%d cpuUsPerRequest=%.1f (system %.1f) cores=%.2f load=%s",
                        w, r, connections, path, run.wrk().rps(), run.wrk().p50Ms(), run.wrk().p99Ms(), run.wrk().non2xx(),
                        run.wrk().socketErrors(), run.cpuUsPerRequest(), run.systemUsPerRequest(), run.cores(), Bench.load());
            }
            ratios.add(last(saturated, "tether").wrk().rps() / last(saturated, "nginx").wrk().rps());
        }
        double tetherMedian = median(saturated, "tether", run -> run.wrk().rps());
        int rate = (int) Math.max(100, tetherMedian / 2);
        // Each connection waits 0..2 x delay ms (mean delay) and then ~0.5 ms for its answer.
        int pacedConnections = Math.max(2, (int) ((rate * (2L * pacedDelayMs + 1) + 1000) / 2000));
        Map<String, String> pacing = Map.of("WRK_DELAY_MS", Integer.toString(pacedDelayMs));
        Map<String, List<Run>> paced = new LinkedHashMap<>();
        Map<String, List<Double>> addedP50 = new LinkedHashMap<>();
        Map<String, List<Double>> addedP99 = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String path : rotated(r)) {
                Run run = measure(targets.get(path), pacedConnections, seconds, pacing);
                paced.computeIfAbsent(path, k -> new ArrayList<>()).add(run);
                Bench.print(NAME, "loops=%d round=%d mode=paced targetRps=%d connections=%d delayMs=0..%d target=%s rps=%.0f p50Ms=%.3f "
                                + "p99Ms=%.3f non2xx=%d socketErrors=%d cpuUsPerRequest=%.1f load=%s",
                        w, r, rate, pacedConnections, 2 * pacedDelayMs, path, run.wrk().rps(), run.wrk().p50Ms(), run.wrk().p99Ms(),
                        run.wrk().non2xx(), run.wrk().socketErrors(), run.cpuUsPerRequest(), Bench.load());
            }
            Wrk direct = last(paced, "direct").wrk();
            for (String proxy : List.of("nginx", "tether")) {
                addedP50.computeIfAbsent(proxy, k -> new ArrayList<>()).add(last(paced, proxy).wrk().p50Ms() - direct.p50Ms());
                addedP99.computeIfAbsent(proxy, k -> new ArrayList<>()).add(last(paced, proxy).wrk().p99Ms() - direct.p99Ms());
            }
        }
        Bench.print(NAME, "loops=%d summary saturated rounds=%d seconds=%d medianRps direct=%.0f nginx=%.0f tether=%.0f "
                        + "tetherOverNginx median=%.2f min=%.2f max=%.2f cpuUsPerRequest median direct=%.1f nginx=%.1f tether=%.1f "
                        + "(system nginx=%.1f tether=%.1f) coresUsed median nginx=%.2f tether=%.2f",
                w, rounds, seconds, median(saturated, "direct", run -> run.wrk().rps()), median(saturated, "nginx", run -> run.wrk().rps()),
                tetherMedian, Bench.median(ratios), Bench.percentile(ratios, 0), Bench.percentile(ratios, 100),
                median(saturated, "direct", Run::cpuUsPerRequest), median(saturated, "nginx", Run::cpuUsPerRequest),
                median(saturated, "tether", Run::cpuUsPerRequest), median(saturated, "nginx", Run::systemUsPerRequest),
                median(saturated, "tether", Run::systemUsPerRequest), median(saturated, "nginx", Run::cores),
                median(saturated, "tether", Run::cores));
        Bench.print(NAME, "loops=%d summary paced at %d req/s (half of Tether's saturated median; %d connections) achieved median "
                        + "direct=%.0f nginx=%.0f tether=%.0f, medians over rounds: addedOverDirect tether p50=%.3f ms p99=%.3f ms, "
                        + "nginx p50=%.3f ms p99=%.3f ms",
                w, rate, pacedConnections, median(paced, "direct", run -> run.wrk().rps()), median(paced, "nginx", run -> run.wrk().rps()),
                median(paced, "tether", run -> run.wrk().rps()), Bench.median(addedP50.get("tether")), Bench.median(addedP99.get("tether")),
                Bench.median(addedP50.get("nginx")), Bench.median(addedP99.get("nginx")));
    }

    /** The paths in round {@code r}'s order: each path goes first in turn, so no path always follows the same one. */
    private static List<String> rotated(int r) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < PATHS.size(); i++) {
            order.add(PATHS.get((i + r) % PATHS.size()));
        }
        return order;
    }

    private static Run measure(Target target, int connections, int seconds, Map<String, String> env) throws Exception {
        long cpu = target.cpuNanos().getAsLong();
        long system = target.systemCpuNanos().getAsLong();
        Wrk wrk = Wrk.run("post.lua", target.url(), 2, connections, seconds, env);
        return new Run(wrk, (target.cpuNanos().getAsLong() - cpu) / 1e9, (target.systemCpuNanos().getAsLong() - system) / 1e9, seconds);
    }

    private static Run last(Map<String, List<Run>> runs, String path) {
        List<Run> list = runs.get(path);
        return list.get(list.size() - 1);
    }

    private static double median(Map<String, List<Run>> runs, String path, java.util.function.ToDoubleFunction<Run> figure) {
        return Bench.median(runs.get(path).stream().map(figure::applyAsDouble).toList());
    }

    /** The status of one POST of a small JSON-RPC message, -1 when it fails. */
    static int post(OkHttpClient http, String url) {
        Request request = new Request.Builder().url(url).post(RequestBody.create(BODY, MediaType.get("application/json"))).build();
        try (Response response = http.newCall(request).execute()) {
            response.body().bytes();
            return response.code();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
