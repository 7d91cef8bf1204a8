package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.http.JsonResponses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 2, silent-dispatch capacity of the proxy alone, side by side with nginx: N concurrent dispatches to an
 * agent that never answers. Four processes, so that each proxy's figures are its own: this JVM runs the embedded mock
 * API and the callers (one connection per dispatch); the agent is a child JVM ({@link SilentAgent}); the Tether proxy is
 * a child JVM started through the real command line with the chart's JVM options ({@link TetherProcess}); nginx
 * (as many workers as the proxy has event loops) proxies to the same agent as it must be set up for streams: no
 * buffering, an hour's read timeout. For each N, nginx first: N callers hold idle proxied requests through it until
 * the agent holds all N; its RSS (master + workers) before and with them, per stream. Then Tether: N callers at three
 * workspaces with different idle windows; heap after a full GC and RSS idle and with all N in flight, per dispatch;
 * how far past its window each cut-off landed on the proxy's clock ({@code elapsed_ms} in its 503) and on the
 * caller's. Each proxy holds two file descriptors per dispatch (caller and agent), so the processes' {@code ulimit
 * -n} bounds the sizes (checked before each).
 */
class SilentDispatchBenchmark {
    static final String NAME = "silent-dispatch";
    static final MediaType JSON = MediaType.get("application/json");
    static final String MESSAGE = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"message/send\",\"params\":{\"message\":"
            + "{\"role\":\"user\",\"messageId\":\"m-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"think hard\"}]}}}";
    static final Duration ARRIVAL_GAP = Duration.ofMillis(1);
    /** The size of the product target: 10,000 silent dispatches in under 512 MiB of the proxy's heap. */
    static final int TARGET = 10_000;
    /** Descriptors a process needs beyond one or two per dispatch: jcmd's attach socket, scrapes, late closes. */
    static final int FD_MARGIN = 100;
    static final Duration POLL = Duration.ofMillis(50);

    record Result(int window, int code, long proxyMs, long idleSeconds, long callerMs, String failure) {
    }

    /** A process that holds {@code perDispatch} file descriptors per silent dispatch besides those open now. */
    record FdUser(String name, long pid, int perDispatch) {
        /** Why {@code n} dispatches would not fit under this process's {@code ulimit -n}; null when they fit. */
        String shortfall(int n) {
            long open = Bench.openFiles(pid);
            long needed = open + (long) perDispatch * n + FD_MARGIN;
            long limit = Bench.fdLimit(pid);
            return needed <= limit ? null : String.format(Locale.ROOT, "the %s needs ~%d file descriptors (%d open + %d per "
                    + "dispatch + %d spare), its ulimit -n is %d", name, needed, open, perDispatch, FD_MARGIN, limit);
        }

        long largestThatFits() {
            return (Bench.fdLimit(pid) - Bench.openFiles(pid) - FD_MARGIN) / perDispatch;
        }
    }

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int[] sizes = Arrays.stream(System.getProperty("bench.sizes", Bench.full() ? "1000,5000,9500" : "300").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int loops = Bench.pick("eventLoops", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
        int warmupSeconds = Bench.pick("warmupSeconds", 3, 10);
        Path dir = Files.createTempDirectory("tether-bench-silent");
        OkHttpClient callers = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(120)).retryOnConnectionFailure(false).build();
        // Holds through nginx end when the benchmark cancels them, not by a client timeout.
        OkHttpClient holders = callers.newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).build();
        int agentPort = Bench.freePort();
        String agentUrl = "http://127.0.0.1:" + agentPort;
        // The agent is not what is measured: a small serial-GC JVM keeps it off the two cores the others share.
        try (BenchApi api = new BenchApi();
                ChildJvm agent = ChildJvm.start("agent", dir, List.of("-Xmx512m", "-XX:+UseSerialGC"),
                        SilentAgent.class.getName(), List.of(Integer.toString(agentPort)), Map.of())) {
            try {
                BenchApi.require(Duration.ofSeconds(60), POLL, "agent listening", () -> {
                    agent.requireAlive();
                    return TetherProcess.status(callers, agentUrl + "/echo") == 200;
                });
                List<FdUser> others = List.of(new FdUser("agent", agent.pid(), 1), new FdUser("harness", ProcessHandle.current().pid(), 1));
                create(api, agentUrl, Map.of("warm-up-cut", 1), "warm-up");
                Bench.print(NAME, "each size in a fresh nginx (worker_processes %d) and a fresh proxy (--event-loops %d); output in %s",
                        loops, loops, dir);
                for (int n : sizes) {
                    // All N must be in flight before the first window ends: windows start after the last arrival,
                    // with room for arrivals falling behind and for the heap reading.
                    int base = (int) Math.ceil(n * ARRIVAL_GAP.toMillis() / 1000.0) + 5;
                    int[] windows = {base, base + 1, base + 2};
                    Map<String, Integer> silent = new LinkedHashMap<>();
                    for (int w : windows) {
                        silent.put(workspace(n, w), w);
                    }
                    create(api, agentUrl, silent, "known-" + n);
                    Double nginxKiB = nginxSize(n, loops, dir, agentPort, others, holders, callers);
                    Double tetherKiB = tetherSize(n, loops, windows, dir, api, others, callers, warmupSeconds);
                    if (nginxKiB != null && tetherKiB != null) {
                        Bench.print(NAME, "n=%d rssGrowthPerIdleStreamKiB tether=%.1f nginx=%.1f tetherOverNginx=%.2f (target: <= 1)", n,
                                tetherKiB, nginxKiB, tetherKiB / nginxKiB);
                    }
                }
            } catch (Throwable e) {
                agent.printOutput();
                throw e;
            }
        }
    }

    /** Why {@code n} does not fit one of {@code users}' {@code ulimit -n}, printed; false when it fits. */
    private static boolean skipped(int n, List<FdUser> users) {
        String tooMany = users.stream().map(u -> u.shortfall(n)).filter(Objects::nonNull).findFirst().orElse(null);
        if (tooMany != null) {
            Bench.print(NAME, "n=%d skipped: %s", n, tooMany);
        }
        return tooMany != null;
    }

    /**
     * A fresh nginx with {@code n} idle proxied streams: its RSS (master + workers) after a warm-up and with them; returns the
     * growth per stream, KiB (null when {@code n} does not fit).
     */
    private static Double nginxSize(int n, int loops, Path dir, int agentPort, List<FdUser> others, OkHttpClient holders,
            OkHttpClient probes) throws Exception {
        int streamPort = Bench.freePort();
        Map<String, String> ports = Map.of("AGENT_PORT", Integer.toString(agentPort), "PROXY_PORT", Integer.toString(Bench.freePort()),
                "STREAM_PORT", Integer.toString(streamPort));
        try (Nginx nginx = Nginx.start("nginx-proxy.conf.template", dir, "nginx-" + n, ports, loops)) {
            NginxHolds holds = new NginxHolds(holders, probes, "http://127.0.0.1:" + streamPort + "/silent",
                    "http://127.0.0.1:" + agentPort + "/open");
            holds.hold(300).close(); // warm-up: the code paths and the upstream's first connections
            List<FdUser> users = new ArrayList<>(others);
            nginx.workers().forEach(pid -> users.add(new FdUser("nginx worker", pid, 2))); // one worker may take them all
            if (skipped(n, users)) {
                return null;
            }
            long before = nginx.rssKiB();
            try (NginxHolds.Held held = holds.hold(n)) {
                long with = nginx.rssKiB();
                double perStream = (with - before) / (double) n;
                Bench.print(NAME, "n=%d nginx workers=%d streamsHeldAtAgent=%d rssKiB %d -> %d perStreamKiB=%.1f openFiles=%s", n, loops,
                        held.atAgent(), before, with, perStream, nginx.workers().stream().map(Bench::openFiles).toList());
                return perStream;
            }
        }
    }

    /**
     * A fresh Tether proxy with {@code n} silent dispatches (after a warm-up); returns its RSS growth per dispatch, KiB
     * (null when {@code n} does not fit).
     */
    private static Double tetherSize(int n, int loops, int[] windows, Path dir, BenchApi api, List<FdUser> others, OkHttpClient callers,
            int warmupSeconds) throws Exception {
        try (TetherProcess proxy = TetherProcess.proxy("proxy-" + n, api.api.kubeconfig(), dir, callers, loops)) {
            try {
                proxy.awaitReady();
                FdUser proxyFds = new FdUser("proxy", proxy.pid(), 2);
                String target = proxyFds.shortfall(TARGET);
                Bench.print(NAME, "n=%d proxy pid=%d --event-loops %d jvmArgs=%s largestSizeThatFits=%d (ulimit -n %d, 2 per dispatch); "
                                + "%d: %s", n, proxy.pid(), loops, proxy.jvmArgs, proxyFds.largestThatFits(), Bench.fdLimit(proxy.pid()),
                        TARGET, target == null ? "fits" : target);
                awaitRouted(callers, proxy, "known-" + n);
                warmUp(callers, proxy, warmupSeconds);
                List<FdUser> users = new ArrayList<>(others);
                users.add(proxyFds);
                if (skipped(n, users)) {
                    return null;
                }
                double perDispatch = runSize(n, windows, callers, proxy);
                BenchApi.require(Duration.ofSeconds(60), POLL, "drained", () -> proxy.inFlight() == 0);
                return perDispatch;
            } catch (Throwable e) {
                proxy.jvm.printOutput();
                throw e;
            }
        }
    }

    /**
     * Idle proxied requests through nginx toward the agent's {@code /silent}: opened {@link #ARRIVAL_GAP} apart, each on
     * a connection of its own, held until the agent holds them all, ended by cancelling the calls (closing the callers'
     * connections, after which nginx closes its upstream ones).
     */
    private record NginxHolds(OkHttpClient holders, OkHttpClient probes, String url, String agentOpen) {
        interface Held extends AutoCloseable {
            int atAgent();

            @Override
            void close() throws InterruptedException;
        }

        Held hold(int n) {
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            List<Call> calls = new ArrayList<>(n);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                LockSupport.parkNanos(start + i * ARRIVAL_GAP.toNanos() - System.nanoTime());
                Call call = holders.newCall(new Request.Builder().url(url).header("Connection", "close")
                        .post(RequestBody.create(MESSAGE, JSON)).build());
                calls.add(call);
                threads.submit(() -> {
                    try (Response r = call.execute()) {
                        r.body().bytes();
                    } catch (IOException cancelled) {
                        // the end of every hold
                    }
                });
            }
            BenchApi.require(Duration.ofSeconds(60), POLL, n + " streams through nginx held at the agent", () -> atAgent() >= n);
            return new Held() {
                @Override
                public int atAgent() {
                    return NginxHolds.this.atAgent();
                }

                @Override
                public void close() throws InterruptedException {
                    calls.forEach(Call::cancel);
                    threads.shutdown();
                    threads.awaitTermination(60, TimeUnit.SECONDS);
                    BenchApi.require(Duration.ofSeconds(60), POLL, "nginx's streams closed at the agent", () -> NginxHolds.this.atAgent() == 0);
                }
            };
        }

        /** The /silent requests the agent holds now. */
        int atAgent() {
            try (Response r = probes.newCall(new Request.Builder().url(agentOpen).build()).execute()) {
                return Integer.parseInt(r.body().string().trim());
            } catch (IOException e) {
                throw new AssertionError("cannot ask the agent: " + e, e);
            }
        }
    }

    /** Tether with {@code n} silent dispatches; returns its RSS growth per dispatch, KiB (both readings after a full GC). */
    private static double runSize(int n, int[] windows, OkHttpClient callers, TetherProcess proxy) throws Exception {
        double heapBefore = proxy.heapAfterGcMiB();
        long rssBefore = Bench.rssKiB(proxy.pid());
        long start = System.nanoTime();
        List<Future<Result>> futures = new ArrayList<>(n);
        double heap;
        long rss;
        long fds;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                LockSupport.parkNanos(start + i * ARRIVAL_GAP.toNanos() - System.nanoTime());
                int window = windows[i % windows.length];
                String url = proxy.url(workspace(n, window));
                futures.add(threads.submit(() -> dispatch(callers, url, window)));
            }
            boolean allInFlight = BenchApi.await(Duration.ofSeconds(windows[0]), POLL, () -> proxy.inFlight() == n);
            int inFlight = proxy.inFlight();
            heap = proxy.heapAfterGcMiB();
            rss = Bench.rssKiB(proxy.pid());
            fds = Bench.openFiles(proxy.pid());
            Bench.print(NAME, "n=%d allInFlightAtOnce=%s inFlight=%d (after the heap reading: %d)", n, allInFlight, inFlight,
                    proxy.inFlight());
        }
        List<Long> proxyOver = new ArrayList<>();
        List<Long> callerOver = new ArrayList<>();
        // What the caller's clock counts and the proxy's does not: connect, accept, reading the request, the 503's way back.
        List<Long> outsideProxy = new ArrayList<>();
        int failures = 0;
        String firstFailure = null;
        for (Future<Result> f : futures) {
            Result r = f.get();
            if (r.failure() != null || r.code() != 503 || r.idleSeconds() != r.window()) {
                failures++;
                firstFailure = firstFailure == null ? r.code() + " idle_timeout_seconds=" + r.idleSeconds() + " (window "
                        + r.window() + ") " + r.failure() : firstFailure;
                continue;
            }
            proxyOver.add(r.proxyMs() - r.window() * 1000L);
            callerOver.add(r.callerMs() - r.window() * 1000L);
            outsideProxy.add(r.callerMs() - r.proxyMs());
        }
        double perDispatchKiB = (heap - heapBefore) * 1024.0 / n;
        double rssPerDispatchKiB = (rss - rssBefore) / (double) n;
        Bench.print(NAME, "n=%d windows=%s proxy heapAfterGcMiB=%.1f (idle %.1f, per dispatch %.1f KiB; extrapolated linearly to "
                        + "%d: %.0f MiB) rssKiB %d -> %d perDispatchKiB=%.1f openFiles=%d cutoffPastWindowMs proxy p50=%.0f p99=%.0f max=%.0f "
                        + "caller p50=%.0f p99=%.0f max=%.0f callerMinusProxyMs p50=%.0f p99=%.0f failures=%d%s",
                n, Arrays.toString(windows), heap, heapBefore, perDispatchKiB, TARGET, heapBefore + perDispatchKiB * TARGET / 1024,
                rssBefore, rss, rssPerDispatchKiB, fds, Bench.median(proxyOver), Bench.percentile(proxyOver, 99), Bench.percentile(proxyOver, 100),
                Bench.median(callerOver), Bench.percentile(callerOver, 99), Bench.percentile(callerOver, 100),
                Bench.median(outsideProxy), Bench.percentile(outsideProxy, 99),
                failures, firstFailure == null ? "" : " first=" + firstFailure);
        return rssPerDispatchKiB;
    }

    private static String workspace(int n, int window) {
        return "silent-" + n + "-" + window + "s";
    }

    /**
     * Creates the {@code silent} Workspaces (the agent's {@code /silent}, each with its window in status), then
     * {@code marker} (the agent's {@code /echo}). A proxy's informer applies Workspace events in order, so once it
     * routes the marker it holds the windows too (each 503 confirms its window besides).
     */
    private static void create(BenchApi api, String agentUrl, Map<String, Integer> silent, String marker) {
        silent.forEach((name, window) -> {
            api.create(name, agentUrl + "/silent");
            api.dispatchPolicy(name, window);
        });
        api.create(marker, agentUrl + "/echo");
    }

    private static void awaitRouted(OkHttpClient callers, TetherProcess proxy, String marker) {
        BenchApi.require(Duration.ofSeconds(30), POLL, marker + " routed by the proxy",
                () -> dispatch(callers, proxy.url(marker), 0).code() == 200);
    }

    /**
     * JIT and connection pools, on both paths the sizes take (an answer, and a cut at a 1 s window), then wrk saturating
     * the answered path for a while: the heap grows to its working size before the idle reading, so that the RSS growth
     * with N in flight is not the young generation's first growth.
     */
    private static void warmUp(OkHttpClient callers, TetherProcess proxy, int seconds) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                threads.submit(() -> dispatch(callers, proxy.url("warm-up"), 0));
                threads.submit(() -> dispatch(callers, proxy.url("warm-up-cut"), 1));
            }
        }
        Wrk wrk = Wrk.run("post.lua", proxy.url("warm-up"), 2, 64, seconds, Map.of());
        if (wrk.non2xx() + wrk.socketErrors() > 0) {
            throw new AssertionError("warm-up through the proxy failed:\n" + wrk.output());
        }
    }

    /** One dispatch on a connection of its own: {@code Connection: close}, so no idle connection outlives it on either side. */
    private static Result dispatch(OkHttpClient callers, String url, int window) {
        long sent = System.nanoTime();
        Request request = new Request.Builder().url(url).header("Connection", "close").post(RequestBody.create(MESSAGE, JSON)).build();
        try (Response response = callers.newCall(request).execute()) {
            String body = response.body().string();
            long callerMs = (System.nanoTime() - sent) / 1_000_000;
            JsonNode cut = response.code() == 503 ? JsonResponses.MAPPER.readTree(body) : JsonResponses.MAPPER.nullNode();
            return new Result(window, response.code(), cut.path("elapsed_ms").asLong(-1), cut.path("idle_timeout_seconds").asLong(-1),
                    callerMs, null);
        } catch (Exception e) {
            return new Result(window, -1, -1, -1, -1, e.toString());
        }
    }
}
