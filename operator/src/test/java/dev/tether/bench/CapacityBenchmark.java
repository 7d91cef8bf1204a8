package dev.tether.bench;

import dev.tether.api.DispatchSpec;
import dev.tether.api.QueueSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Capacity ({@code spec.maxConcurrentTasks}) on the proxy, with the proxy in a JVM of its own started through the real
 * command line ({@link TetherProcess}, one event loop per core unless {@code -Dbench.eventLoops}) and the load from wrk, out
 * of process.
 * <p>
 * Admission without contention: a workspace whose limit (1000) is never reached, called with post.lua's ~1 KiB
 * {@code message/send} (a slot taken and released per call, never a wait) and with the same body as {@code tasks/get}
 * (tasks-get.lua), which takes no slot and otherwise follows the same forwarding path. No setting turns the limit off
 * ({@code maxConcurrentTasks} below 1 means the default, 1), so the method is the run without a limit. The agent is
 * nginx's fixed answer (nginx-agent.conf.template). Each round runs both back to back, the order alternating; saturated
 * throughput, then p50/p99 paced at a fixed rate well below saturation ({@code -Dbench.pacedRps}, 2000; post.lua's
 * random whole-millisecond delays), each with the proxy's CPU time per call (the least noisy figure on a shared machine),
 * and admitted over no-slot ratios.
 * <p>
 * The queue at saturation: limits 1, 2 and 8 ({@code -Dbench.limits}), far more wrk connections than slots, an agent
 * ({@link DelayedAgent}) answering each call after a fixed delay: calls answered per second against the limit's
 * theoretical limit/delay, the queue wait from the proxy's {@code tether_proxy_queue_wait_seconds} histogram (bucket
 * bounds, so read "at most"), the callers' latency, non-2xx answers and capacity rejections, the most calls the agent
 * held at once (while all callers were there, and over the run's last second and end), the agent called directly by as
 * many closed-loop callers as the limit (what the limit could reach here), and a probe afterwards that must go at once
 * (no slot leaked). The queue's depth bound is sized to hold every connection, so {@code queue_full} should not occur.
 * Needs wrk and nginx on the PATH (run.sh installs them).
 */
class CapacityBenchmark {
    static final String NAME = "capacity";
    static final Duration POLL = Duration.ofMillis(50);
    static final MediaType JSON = MediaType.get("application/json");
    static final String PROBE = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"message/send\",\"params\":{\"message\":"
            + "{\"role\":\"user\",\"messageId\":\"m-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"probe\"}]}}}";
    static final String QUEUE_WAIT = "tether_proxy_queue_wait_seconds_bucket";
    static final Pattern LE = Pattern.compile("[{,]le=\"([^\"]+)\"");
    static final int NO_CONTENTION_LIMIT = 1000;
    static final String ADMITTED = "post.lua";
    static final String FREE = "tasks-get.lua";

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int rounds = Bench.pick("rounds", 1, 5);
        int seconds = Bench.pick("seconds", 2, 10);
        int warmupSeconds = Bench.pick("warmupSeconds", 2, 15);
        int loops = Bench.pick("eventLoops", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
        Path dir = Files.createTempDirectory("tether-bench-capacity");
        int delayMs = Bench.pick("delayMs", 10, 10);
        int nginxPort = Bench.freePort();
        int agentPort = Bench.freePort();
        OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();
        try (Nginx nginx = Nginx.start("nginx-agent.conf.template", dir, "nginx-agent", Map.of("AGENT_PORT", Integer.toString(nginxPort)), 2);
                BenchApi api = new BenchApi();
                ChildJvm agent = ChildJvm.start("agent", dir, List.of("-Xmx256m", "-XX:+UseSerialGC"), DelayedAgent.class.getName(),
                        List.of(Integer.toString(agentPort), Integer.toString(delayMs)), Map.of());
                TetherProcess proxy = TetherProcess.proxy("proxy", api.api.kubeconfig(), dir, http, loops)) {
            try {
                proxy.awaitReady();
                Bench.print(NAME, "proxy pid=%d --event-loops %d jvmArgs=%s agentDelayMs=%d output in %s", proxy.pid(), loops, proxy.jvmArgs,
                        delayMs, dir);
                noContention(api, http, proxy, "http://127.0.0.1:" + nginxPort + "/a2a", rounds, seconds, warmupSeconds);
                saturation(api, http, proxy, agent, "http://127.0.0.1:" + agentPort, delayMs, rounds, seconds, warmupSeconds);
            } catch (Throwable e) {
                proxy.jvm.printOutput();
                agent.printOutput();
                throw e;
            }
        }
    }

    private static void noContention(BenchApi api, OkHttpClient http, TetherProcess proxy, String agentUrl, int rounds, int seconds,
            int warmupSeconds) throws Exception {
        int connections = Bench.pick("connections", 64, 64);
        int rate = Bench.pick("pacedRps", 2000, 2000);
        int pacedDelayMs = Bench.pick("pacedDelayMs", 5, 5);
        // As benchmark 1: each connection waits 0..2 x delay ms (mean delay) and then ~0.5 ms for its answer.
        int pacedConnections = Math.max(2, (int) ((rate * (2L * pacedDelayMs + 1) + 1000) / 2000));
        Map<String, String> pacing = Map.of("WRK_DELAY_MS", Integer.toString(pacedDelayMs));
        String ws = "no-contention";
        create(api, http, proxy, ws, agentUrl, NO_CONTENTION_LIMIT, connections);
        String url = proxy.url(ws);
        for (String script : List.of(ADMITTED, FREE)) { // JIT (C2 needs several seconds of traffic), connection pools
            Wrk.run(script, url, 2, connections, warmupSeconds, Map.of());
        }
        double waitsBefore = Bench.metricSum(proxy.metrics(), "tether_proxy_queue_wait_seconds_count");
        List<Measured[]> saturated = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Measured[] pair = pair(r, proxy, ws, connections, seconds, Map.of());
            saturated.add(pair);
            print(r, "saturated", 0, connections, pair);
        }
        List<Measured[]> paced = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Measured[] pair = pair(r, proxy, ws, pacedConnections, seconds, pacing);
            paced.add(pair);
            print(r, "paced", rate, pacedConnections, pair);
        }
        double queued = Bench.metricSum(proxy.metrics(), "tether_proxy_queue_wait_seconds_count") - waitsBefore;
        Bench.print(NAME, "summary noContention limit=%d rounds=%d seconds=%d calls that queued=%.0f; medians of the per-round "
                        + "message/send over tasks/get ratios: saturated rps=%.3f (min %.3f max %.3f) proxyCpuPerCall=%.3f "
                        + "(min %.3f max %.3f); paced at %d req/s p50=%.3f p99=%.3f proxyCpuPerCall=%.3f; medians of the differences: "
                        + "proxyCpuPerCallUs saturated=%+.1f paced=%+.1f, paced p50Us=%+.0f p99Us=%+.0f",
                NO_CONTENTION_LIMIT, rounds, seconds, queued, ratio(saturated, m -> m.wrk().rps(), 50),
                ratio(saturated, m -> m.wrk().rps(), 0), ratio(saturated, m -> m.wrk().rps(), 100),
                ratio(saturated, Measured::cpuUsPerCall, 50), ratio(saturated, Measured::cpuUsPerCall, 0),
                ratio(saturated, Measured::cpuUsPerCall, 100), rate, ratio(paced, m -> m.wrk().p50Ms(), 50),
                ratio(paced, m -> m.wrk().p99Ms(), 50), ratio(paced, Measured::cpuUsPerCall, 50),
                difference(saturated, Measured::cpuUsPerCall), difference(paced, Measured::cpuUsPerCall),
                difference(paced, m -> m.wrk().p50Ms() * 1000), difference(paced, m -> m.wrk().p99Ms() * 1000));
    }

    /** One wrk run and the proxy's CPU time per call it answered 200 (from /proc: clock ticks of 10 ms, so runs of seconds). */
    record Measured(Wrk wrk, double cpuUsPerCall) {
        static Measured run(TetherProcess proxy, String ws, String script, int connections, int seconds, Map<String, String> env)
                throws IOException, InterruptedException {
            String label = "workspace=\"" + BenchApi.NS + "/" + ws + "\"";
            double okBefore = Bench.metricSum(proxy.metrics(), "tether_proxy_dispatches_total", label, "outcome=\"ok\"");
            long cpuBefore = Bench.cpuNanos(proxy.pid());
            Wrk wrk = Wrk.run(script, proxy.url(ws), 2, connections, seconds, env);
            long cpu = Bench.cpuNanos(proxy.pid()) - cpuBefore;
            double ok = Bench.metricSum(proxy.metrics(), "tether_proxy_dispatches_total", label, "outcome=\"ok\"") - okBefore;
            return new Measured(wrk, cpu / 1000.0 / ok);
        }
    }

    /** The admitted and the no-slot run of one round, admitted first in even rounds and second in odd ones, so drift cancels out. */
    private static Measured[] pair(int round, TetherProcess proxy, String ws, int connections, int seconds, Map<String, String> env)
            throws IOException, InterruptedException {
        if (round % 2 == 0) {
            Measured a = Measured.run(proxy, ws, ADMITTED, connections, seconds, env);
            return new Measured[] {a, Measured.run(proxy, ws, FREE, connections, seconds, env)};
        }
        Measured f = Measured.run(proxy, ws, FREE, connections, seconds, env);
        return new Measured[] {Measured.run(proxy, ws, ADMITTED, connections, seconds, env), f};
    }

    private static void print(int round, String mode, int rate, int connections, Measured[] pair) {
        Wrk a = pair[0].wrk();
        Wrk f = pair[1].wrk();
        Bench.print(NAME, "round=%d mode=%s targetRps=%d connections=%d message/send(slot) rps=%.0f p50Ms=%.3f p99Ms=%.3f non2xx=%d "
                        + "socketErrors=%d proxyCpuUsPerCall=%.1f | tasks/get(no slot) rps=%.0f p50Ms=%.3f p99Ms=%.3f non2xx=%d "
                        + "socketErrors=%d proxyCpuUsPerCall=%.1f "
                        + "| ratios rps=%.3f p50=%.3f p99=%.3f proxyCpuPerCall=%.3f load=%s",
                round, mode, rate, connections, a.rps(), a.p50Ms(), a.p99Ms(), a.non2xx(), a.socketErrors(), pair[0].cpuUsPerCall(),
                f.rps(), f.p50Ms(), f.p99Ms(), f.non2xx(), f.socketErrors(), pair[1].cpuUsPerCall(), a.rps() / f.rps(), a.p50Ms() / f.p50Ms(), a.p99Ms() / f.p99Ms(),
                pair[0].cpuUsPerCall() / pair[1].cpuUsPerCall(), Bench.load());
    }

    /** The {@code p}th percentile over rounds of admitted / no-slot. */
    private static double ratio(List<Measured[]> rounds, ToDoubleFunction<Measured> figure, double p) {
        return Bench.percentile(rounds.stream().map(r -> figure.applyAsDouble(r[0]) / figure.applyAsDouble(r[1])).toList(), p);
    }

    /** The median over rounds of admitted − no-slot. */
    private static double difference(List<Measured[]> rounds, ToDoubleFunction<Measured> figure) {
        return Bench.median(rounds.stream().map(r -> figure.applyAsDouble(r[0]) - figure.applyAsDouble(r[1])).toList());
    }

    private static void saturation(BenchApi api, OkHttpClient http, TetherProcess proxy, ChildJvm agent, String agentBase, int delayMs,
            int rounds, int seconds, int warmupSeconds) throws Exception {
        int connections = Bench.pick("queueConnections", 64, 64);
        int[] limits = Arrays.stream(System.getProperty("bench.limits", "1,2,8").split(",")).mapToInt(Integer::parseInt).toArray();
        BenchApi.require(Duration.ofSeconds(60), POLL, "agent listening", () -> {
            agent.requireAlive();
            return TetherProcess.status(http, agentBase + "/stats") == 200;
        });
        for (int limit : limits) {
            create(api, http, proxy, queueWorkspace(limit), agentBase + "/a2a", limit, connections);
        }
        Wrk.run(ADMITTED, proxy.url(queueWorkspace(limits[limits.length - 1])), 2, connections, warmupSeconds, Map.of());
        Map<Integer, List<Double>> efficiency = new TreeMap<>();
        Map<Integer, List<Double>> ofDirect = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int limit : limits) {
                String ws = queueWorkspace(limit);
                String label = "workspace=\"" + BenchApi.NS + "/" + ws + "\"";
                awaitDrained(proxy, label);
                double direct = direct(http, agentBase + "/a2a", limit, seconds);
                agentStats(http, agentBase); // resets the agent's most-at-once
                String before = proxy.metrics();
                Wrk w;
                long[] running;
                // Most-at-once is read 1 s before wrk ends too: at its end wrk drops every caller at once, and a caller that
                // leaves frees its slot while this agent still holds the abandoned call until its timer fires.
                try (ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor()) {
                    ScheduledFuture<long[]> whileRunning = clock.schedule(() -> agentStats(http, agentBase), seconds - 1, TimeUnit.SECONDS);
                    w = Wrk.run(ADMITTED, proxy.url(ws), 2, connections, seconds, Map.of());
                    running = whileRunning.get();
                }
                String after = proxy.metrics();
                long[] atEnd = agentStats(http, agentBase);
                NavigableMap<Double, Double> waits = delta(buckets(after), buckets(before));
                double theoretical = limit * 1000.0 / delayMs;
                efficiency.computeIfAbsent(limit, k -> new ArrayList<>()).add(w.rps() / theoretical);
                ofDirect.computeIfAbsent(limit, k -> new ArrayList<>()).add(w.rps() / direct);
                awaitDrained(proxy, label);
                long probeMs = probe(http, proxy.url(ws));
                Bench.print(NAME, "round=%d mode=queue limit=%d connections=%d agentDelayMs=%d answeredPerSec=%.0f theoretical=%.0f "
                                + "efficiency=%.3f directPerSec=%.0f ofDirect=%.3f queueWaitMs p50<=%.1f p99<=%.1f (%.0f waits) callerMs p50=%.1f p99=%.1f non2xx=%d "
                                + "socketErrors=%d "
                                + "rejected queue_full=%.0f queue_timeout=%.0f clientGone=%.0f agentMostAtOnce running=%d "
                                + "lastSecondAndEnd=%d probeAfterMs=%d load=%s",
                        r, limit, connections, delayMs, w.rps(), theoretical, w.rps() / theoretical, direct, w.rps() / direct, percentileMs(waits, 50),
                        percentileMs(waits, 99), total(waits), w.p50Ms(), w.p99Ms(), w.non2xx(), w.socketErrors(),
                        change(after, before, "tether_proxy_capacity_rejections_total", label, "reason=\"queue_full\""),
                        change(after, before, "tether_proxy_capacity_rejections_total", label, "reason=\"queue_timeout\""),
                        change(after, before, "tether_proxy_dispatches_total", label, "outcome=\"client_gone\""), running[1], atEnd[1], probeMs, Bench.load());
            }
        }
        efficiency.forEach((limit, e) -> Bench.print(NAME, "summary queue limit=%d theoretical=%.0f/s efficiency median=%.3f min=%.3f "
                        + "max=%.3f ofDirect median=%.3f min=%.3f max=%.3f", limit, limit * 1000.0 / delayMs, Bench.median(e),
                Bench.percentile(e, 0), Bench.percentile(e, 100), Bench.median(ofDirect.get(limit)),
                Bench.percentile(ofDirect.get(limit), 0), Bench.percentile(ofDirect.get(limit), 100)));
    }

    private static String queueWorkspace(int limit) {
        return "queue-" + limit;
    }

    /** A workspace with {@code limit} task slots and room in its queue for {@code connections} callers; waits until the proxy routes it. */
    private static void create(BenchApi api, OkHttpClient http, TetherProcess proxy, String name, String agentUrl, int limit, int connections) {
        api.workspaces.create(name, spec -> {
            spec.setUrl(agentUrl);
            spec.setMaxConcurrentTasks(limit);
            spec.setDispatch(new DispatchSpec(null, null, null, new QueueSpec(Math.max(QueueSpec.DEFAULT_MAX_DEPTH, connections), null)));
        });
        BenchApi.require(Duration.ofSeconds(30), POLL, name + " routed by the proxy", () -> probe(http, proxy.url(name)) >= 0);
    }

    /** How long one message/send took, ms; -1 when it was not answered 200. */
    private static long probe(OkHttpClient http, String url) {
        long sent = System.nanoTime();
        try (Response response = http.newCall(new Request.Builder().url(url).post(RequestBody.create(PROBE, JSON)).build()).execute()) {
            response.body().string();
            return response.code() == 200 ? (System.nanoTime() - sent) / 1_000_000 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Calls answered per second by the agent called directly by {@code concurrency} callers in a closed loop (this JVM's
     * client): what a limit of {@code concurrency} could reach on this machine at best, with no proxy in between.
     */
    private static double direct(OkHttpClient http, String url, int concurrency, int seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong answered = new AtomicLong();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                callers.submit(() -> {
                    while (System.nanoTime() < end) {
                        if (probe(http, url) >= 0) {
                            answered.incrementAndGet();
                        }
                    }
                });
            }
        }
        return answered.get() / (double) seconds;
    }

    /** The callers wrk left behind are gone: nothing queued and nothing in flight. */
    private static void awaitDrained(TetherProcess proxy, String label) {
        BenchApi.require(Duration.ofSeconds(60), POLL, "the queue drained", () -> {
            String m = proxy.metrics();
            return Bench.metricSum(m, "tether_proxy_queue_depth", label) == 0 && Bench.metricSum(m, "tether_proxy_dispatches_in_flight") == 0;
        });
    }

    /** The agent's {@code <answered> <mostAtOnce>} (the latter reset by the call). */
    private static long[] agentStats(OkHttpClient http, String agentBase) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(agentBase + "/stats").build()).execute()) {
            return Arrays.stream(response.body().string().trim().split(" ")).mapToLong(Long::parseLong).toArray();
        }
    }

    private static double change(String after, String before, String metric, String... labels) {
        return Bench.metricSum(after, metric, labels) - Bench.metricSum(before, metric, labels);
    }

    /** The forwarded calls' queue-wait histogram: cumulative count by upper bound in seconds. */
    private static NavigableMap<Double, Double> buckets(String metrics) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(QUEUE_WAIT + "{") && line.contains("outcome=\"forwarded\"")) {
                Matcher le = LE.matcher(line);
                if (!le.find()) {
                    throw new AssertionError("a bucket without le: " + line);
                }
                String bound = le.group(1);
                buckets.put(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return buckets;
    }

    private static NavigableMap<Double, Double> delta(NavigableMap<Double, Double> after, NavigableMap<Double, Double> before) {
        NavigableMap<Double, Double> delta = new TreeMap<>();
        after.forEach((le, count) -> delta.put(le, count - before.getOrDefault(le, 0.0)));
        return delta;
    }

    private static double total(NavigableMap<Double, Double> cumulative) {
        return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    }

    /** The upper bound (ms) of the first bucket holding the {@code p}th percentile; NaN without samples. */
    private static double percentileMs(NavigableMap<Double, Double> cumulative, double p) {
        double wanted = Math.ceil(p / 100.0 * total(cumulative));
        return wanted == 0 ? Double.NaN : cumulative.entrySet().stream().filter(e -> e.getValue() >= wanted).findFirst()
                .map(e -> e.getKey() * 1000).orElse(Double.NaN);
    }
}
