package dev.tether.bench;

import dev.tether.http.JsonResponses;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxyBenchAccess;
import dev.tether.proxy.ProxySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 2, silent-dispatch capacity: N concurrent dispatches to an agent that never answers, spread
 * over three workspaces with different idle windows. Reports heap (after GC, all N in flight), RSS and
 * open files, and how far each cut-off lands past its window on the proxy's clock ({@code elapsed_ms} in
 * its 503) and on the caller's clock. Callers, proxy and agent share this JVM: 4 file descriptors per
 * dispatch, so the sizes are bounded by {@code ulimit -n} (checked before each size).
 */
class SilentDispatchBenchmark {
    static final String NAME = "silent-dispatch";
    static final MediaType JSON = MediaType.get("application/json");
    static final String MESSAGE = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"message/send\",\"params\":{\"message\":"
            + "{\"role\":\"user\",\"messageId\":\"m-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"think hard\"}]}}}";
    static final Duration ARRIVAL_GAP = Duration.ofMillis(1);

    record Result(int window, int code, long proxyMs, long callerMs, String failure) {
    }

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int[] sizes = Arrays.stream(System.getProperty("bench.sizes", Bench.full() ? "1000,4500" : "300").split(","))
                .mapToInt(Integer::parseInt).toArray();
        long fdLimit = fdLimit();
        try (BenchApi api = new BenchApi(); ProxyBenchAccess.Agent agent = new ProxyBenchAccess.Agent(Duration.ofMinutes(5))) {
            ProxySettings settings = ProxySettings.builder().host("127.0.0.1").port(0).defaultNamespace(BenchApi.NS).build();
            try (DispatchProxy proxy = DispatchProxy.start(api.client, settings)) {
                BenchApi.require(Duration.ofSeconds(30), "proxy ready", proxy::isReady);
                api.create("warm-up", agent.url("/echo"));
                OkHttpClient callers = new OkHttpClient.Builder()
                        .connectionPool(new ConnectionPool(12_000, 1, TimeUnit.MINUTES))
                        .readTimeout(Duration.ofSeconds(120)).retryOnConnectionFailure(false).build();
                BenchApi.require(Duration.ofSeconds(10), "warm-up known",
                        () -> ProxyBenchAccess.idleSeconds(proxy, settings, BenchApi.NS, "warm-up").isPresent());
                warmUp(callers, proxy);
                for (int n : sizes) {
                    long needed = 4L * n + 500;
                    if (needed > fdLimit) {
                        Bench.print(NAME, "n=%d skipped: needs ~%d file descriptors in one process, ulimit -n is %d", n, needed, fdLimit);
                        continue;
                    }
                    // All N must be in flight before the first window ends: windows start after the last arrival.
                    int base = (int) Math.ceil(n * ARRIVAL_GAP.toMillis() / 1000.0) + 3;
                    int[] windows = {base, base + 1, base + 2};
                    for (int w : windows) {
                        String ws = "silent-" + n + "-" + w + "s";
                        api.create(ws, agent.url("/silent"));
                        api.dispatchPolicy(ws, w);
                        BenchApi.require(Duration.ofSeconds(10), ws + " known to the proxy",
                                () -> ProxyBenchAccess.idleSeconds(proxy, settings, BenchApi.NS, ws).orElse(-1) == w);
                    }
                    runSize(n, windows, callers, proxy);
                    BenchApi.require(Duration.ofSeconds(30), "drained", () -> proxy.inFlight() == 0);
                }
                callers.connectionPool().evictAll();
            }
        }
    }

    private void runSize(int n, int[] windows, OkHttpClient callers, DispatchProxy proxy) throws Exception {
        long heapBefore = Bench.heapAfterGcMiB();
        long start = System.nanoTime();
        List<Future<Result>> futures = new ArrayList<>(n);
        long heap;
        long rss;
        long fds;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                LockSupport.parkNanos(start + i * ARRIVAL_GAP.toNanos() - System.nanoTime());
                int window = windows[i % windows.length];
                String url = proxy.baseUrl() + "/workspaces/" + BenchApi.NS + "/silent-" + n + "-" + window + "s/a2a";
                futures.add(threads.submit(() -> dispatch(callers, url, window)));
            }
            boolean allInFlight = BenchApi.await(Duration.ofSeconds(windows[0]), () -> proxy.inFlight() == n);
            heap = Bench.heapAfterGcMiB();
            rss = Bench.rssMiB();
            fds = Bench.openFiles();
            Bench.print(NAME, "n=%d allInFlightAtOnce=%s inFlight=%d", n, allInFlight, proxy.inFlight());
        }
        List<Long> proxyOver = new ArrayList<>();
        List<Long> callerOver = new ArrayList<>();
        int failures = 0;
        String firstFailure = null;
        for (Future<Result> f : futures) {
            Result r = f.get();
            if (r.failure() != null || r.code() != 503) {
                failures++;
                firstFailure = firstFailure == null ? r.code() + " " + r.failure() : firstFailure;
                continue;
            }
            proxyOver.add(r.proxyMs() - r.window() * 1000L);
            callerOver.add(r.callerMs() - r.window() * 1000L);
        }
        Bench.print(NAME, "n=%d windows=%s heapAfterGcMiB=%d (idle %d, per dispatch %.1f KiB) rssMiB=%d openFiles=%d "
                        + "cutoffPastWindowMs proxy p50=%.0f p99=%.0f max=%.0f caller p50=%.0f p99=%.0f max=%.0f failures=%d%s",
                n, Arrays.toString(windows), heap, heapBefore, (heap - heapBefore) * 1024.0 / n, rss, fds,
                Bench.median(proxyOver), Bench.percentile(proxyOver, 99), Bench.percentile(proxyOver, 100),
                Bench.median(callerOver), Bench.percentile(callerOver, 99), Bench.percentile(callerOver, 100),
                failures, firstFailure == null ? "" : " first=" + firstFailure);
    }

    private static void warmUp(OkHttpClient callers, DispatchProxy proxy) throws Exception {
        String url = proxy.baseUrl() + "/workspaces/" + BenchApi.NS + "/warm-up/a2a";
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                threads.submit(() -> dispatch(callers, url, 0));
            }
        }
    }

    private static Result dispatch(OkHttpClient callers, String url, int window) {
        long sent = System.nanoTime();
        Request request = new Request.Builder().url(url).post(RequestBody.create(MESSAGE, JSON)).build();
        try (Response response = callers.newCall(request).execute()) {
            String body = response.body().string();
            long callerMs = (System.nanoTime() - sent) / 1_000_000;
            long proxyMs = response.code() == 503 ? JsonResponses.MAPPER.readTree(body).path("elapsed_ms").asLong(-1) : -1;
            return new Result(window, response.code(), proxyMs, callerMs, null);
        } catch (Exception e) {
            return new Result(window, -1, -1, -1, e.toString());
        }
    }

    private static long fdLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.trim().split("\\s+")[3]);
                }
            }
        } catch (Exception e) {
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }
}
