package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.Tether;
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
import java.util.concurrent.locks.LockSupport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 2, silent-dispatch capacity of the proxy alone: N concurrent dispatches to an agent that never
 * answers, spread over three workspaces with different idle windows. Three processes, so that the proxy's
 * figures are its own: this JVM runs the embedded mock API and the callers (one connection per dispatch);
 * the proxy is a child JVM started through the real command line ({@code tether proxy}) and pointed at the
 * mock API by a kubeconfig, as outside a cluster; the agent is another child JVM ({@link SilentAgent}).
 * For the proxy's process it reports heap after a full GC with all N in flight and idle, per dispatch and
 * linearly extrapolated to 10,000, RSS and open files; per dispatch, how far past its window the cut-off
 * landed on the proxy's clock ({@code elapsed_ms} in its 503) and on the caller's. The proxy holds two file
 * descriptors per dispatch (caller and agent), so its {@code ulimit -n} bounds the sizes (checked before each).
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
        Path dir = Files.createTempDirectory("tether-bench-silent");
        OkHttpClient callers = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(120)).retryOnConnectionFailure(false).build();
        int agentPort = Bench.freePort();
        // The agent is not what is measured: a small serial-GC JVM keeps it off the two cores the others share.
        try (BenchApi api = new BenchApi();
                ChildJvm agent = ChildJvm.start("agent", dir, List.of("-Xmx512m", "-XX:+UseSerialGC"),
                        SilentAgent.class.getName(), List.of(Integer.toString(agentPort)), Map.of());
                ProxyProcess proxy = ProxyProcess.start(api, dir, callers)) {
            try {
                String agentUrl = "http://127.0.0.1:" + agentPort;
                BenchApi.require(Duration.ofSeconds(60), POLL, "agent listening", () -> {
                    agent.requireAlive();
                    return status(callers, agentUrl + "/echo") == 200;
                });
                proxy.awaitReady();
                FdUser proxyFds = new FdUser("proxy", proxy.jvm.pid(), 2);
                List<FdUser> fdUsers = List.of(proxyFds, new FdUser("agent", agent.pid(), 1),
                        new FdUser("harness", ProcessHandle.current().pid(), 1));
                String target = proxyFds.shortfall(TARGET);
                Bench.print(NAME, "proxy pid=%d jvmArgs=%s largestSizeThatFits=%d (ulimit -n %d, 2 per dispatch); %d: %s; "
                                + "child output in %s", proxy.jvm.pid(), proxy.jvmArgs, proxyFds.largestThatFits(),
                        Bench.fdLimit(proxy.jvm.pid()), TARGET, target == null ? "fits" : target, dir);
                createKnown(api, callers, proxy, agentUrl, Map.of("warm-up-cut", 1), "warm-up");
                warmUp(callers, proxy);
                for (int n : sizes) {
                    String tooMany = fdUsers.stream().map(u -> u.shortfall(n)).filter(Objects::nonNull).findFirst().orElse(null);
                    if (tooMany != null) {
                        Bench.print(NAME, "n=%d skipped: %s", n, tooMany);
                        continue;
                    }
                    // All N must be in flight before the first window ends: windows start after the last arrival,
                    // with room for arrivals falling behind and for the heap reading.
                    int base = (int) Math.ceil(n * ARRIVAL_GAP.toMillis() / 1000.0) + 5;
                    int[] windows = {base, base + 1, base + 2};
                    Map<String, Integer> silent = new LinkedHashMap<>();
                    for (int w : windows) {
                        silent.put(workspace(n, w), w);
                    }
                    createKnown(api, callers, proxy, agentUrl, silent, "known-" + n);
                    runSize(n, windows, callers, proxy);
                    BenchApi.require(Duration.ofSeconds(60), POLL, "drained", () -> proxy.inFlight() == 0);
                }
            } catch (Throwable e) {
                proxy.jvm.printOutput();
                agent.printOutput();
                throw e;
            }
        }
    }

    private void runSize(int n, int[] windows, OkHttpClient callers, ProxyProcess proxy) throws Exception {
        double heapBefore = proxy.heapAfterGcMiB();
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
            rss = Bench.rssMiB(proxy.jvm.pid());
            fds = Bench.openFiles(proxy.jvm.pid());
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
        Bench.print(NAME, "n=%d windows=%s proxy heapAfterGcMiB=%.1f (idle %.1f, per dispatch %.1f KiB; extrapolated linearly to "
                        + "%d: %.0f MiB) rssMiB=%d openFiles=%d cutoffPastWindowMs proxy p50=%.0f p99=%.0f max=%.0f "
                        + "caller p50=%.0f p99=%.0f max=%.0f callerMinusProxyMs p50=%.0f p99=%.0f failures=%d%s",
                n, Arrays.toString(windows), heap, heapBefore, perDispatchKiB, TARGET, heapBefore + perDispatchKiB * TARGET / 1024,
                rss, fds, Bench.median(proxyOver), Bench.percentile(proxyOver, 99), Bench.percentile(proxyOver, 100),
                Bench.median(callerOver), Bench.percentile(callerOver, 99), Bench.percentile(callerOver, 100),
                Bench.median(outsideProxy), Bench.percentile(outsideProxy, 99),
                failures, firstFailure == null ? "" : " first=" + firstFailure);
    }

    private static String workspace(int n, int window) {
        return "silent-" + n + "-" + window + "s";
    }

    /**
     * Creates the {@code silent} Workspaces (the agent's {@code /silent}, each with its window in status), then
     * {@code marker} (the agent's {@code /echo}), and waits until a dispatch to the marker answers. The proxy's
     * informer applies Workspace events in order, so once it routes the marker it holds the windows too (each
     * 503 confirms its window besides).
     */
    private static void createKnown(BenchApi api, OkHttpClient callers, ProxyProcess proxy, String agentUrl,
            Map<String, Integer> silent, String marker) {
        silent.forEach((name, window) -> {
            api.create(name, agentUrl + "/silent");
            api.dispatchPolicy(name, window);
        });
        api.create(marker, agentUrl + "/echo");
        BenchApi.require(Duration.ofSeconds(30), POLL, marker + " routed by the proxy",
                () -> dispatch(callers, proxy.url(marker), 0).code() == 200);
    }

    /** JIT and connection pools, on both paths the sizes take: an answer, and a cut at a 1 s window. */
    private static void warmUp(OkHttpClient callers, ProxyProcess proxy) {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                threads.submit(() -> dispatch(callers, proxy.url("warm-up"), 0));
                threads.submit(() -> dispatch(callers, proxy.url("warm-up-cut"), 1));
            }
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

    /** The status of a GET, -1 when it fails to connect. */
    static int status(OkHttpClient http, String url) {
        try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.code();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The proxy under test: {@code tether proxy} in a JVM of its own with an explicit heap ({@code -Dbench.proxyXmx},
     * default 1g; more flags in {@code -Dbench.proxyJvmArgs}), read through its /metrics and jcmd.
     */
    static final class ProxyProcess implements AutoCloseable {
        final ChildJvm jvm;
        final List<String> jvmArgs;
        private final String baseUrl;
        private final OkHttpClient http;

        private ProxyProcess(ChildJvm jvm, List<String> jvmArgs, String baseUrl, OkHttpClient http) {
            this.jvm = jvm;
            this.jvmArgs = jvmArgs;
            this.baseUrl = baseUrl;
            this.http = http;
        }

        static ProxyProcess start(BenchApi api, Path dir, OkHttpClient http) throws IOException {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), api.api.kubeconfig());
            List<String> jvmArgs = new ArrayList<>(List.of("-Xmx" + System.getProperty("bench.proxyXmx", "1g")));
            String logback = System.getProperty("logback.configurationFile");
            if (logback != null) {
                jvmArgs.add("-Dlogback.configurationFile=" + logback); // the benchmarks' config: warnings only
            }
            String extra = System.getProperty("bench.proxyJvmArgs", "").trim();
            if (!extra.isEmpty()) {
                jvmArgs.addAll(List.of(extra.split("\\s+")));
            }
            int port = Bench.freePort();
            ChildJvm jvm = ChildJvm.start("proxy", dir, jvmArgs, Tether.class.getName(),
                    List.of("proxy", "--port", Integer.toString(port), "--default-namespace", BenchApi.NS, "--shutdown-grace", "1s"),
                    Map.of("KUBECONFIG", kubeconfig.toString()));
            return new ProxyProcess(jvm, jvmArgs, "http://127.0.0.1:" + port, http);
        }

        String url(String workspace) {
            return baseUrl + "/workspaces/" + BenchApi.NS + "/" + workspace + "/a2a";
        }

        void awaitReady() {
            BenchApi.require(Duration.ofSeconds(60), POLL, "proxy ready", () -> {
                jvm.requireAlive();
                return status(http, baseUrl + "/readyz") == 200;
            });
        }

        int inFlight() {
            return (int) metric("tether_proxy_dispatches_in_flight{", "");
        }

        /** Heap used after a full GC (jcmd GC.run), MiB: the sum of the heap pools on /metrics, whatever the collector. */
        double heapAfterGcMiB() throws IOException, InterruptedException {
            jvm.jcmd("GC.run");
            return metric("jvm_memory_used_bytes{", "area=\"heap\"") / (1 << 20);
        }

        /** The sum of the samples on /metrics whose line starts with {@code prefix} and contains {@code label}. */
        private double metric(String prefix, String label) {
            jvm.requireAlive();
            try (Response response = http.newCall(new Request.Builder().url(baseUrl + "/metrics").build()).execute()) {
                double sum = 0;
                boolean found = false;
                for (String line : response.body().string().split("\n")) {
                    if (line.startsWith(prefix) && line.contains(label)) {
                        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        found = true;
                    }
                }
                if (!found) {
                    throw new AssertionError("no " + prefix + "..." + label + " on the proxy's /metrics");
                }
                return sum;
            } catch (IOException e) {
                throw new AssertionError("cannot read the proxy's /metrics: " + e, e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            jvm.close();
        }
    }
}
