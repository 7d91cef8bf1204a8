package dev.tether.bench;

import dev.tether.Tether;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A Tether role under test ({@code tether proxy} or {@code tether operator}) started through the real command line, in
 * a JVM of its own on this JVM's java and classpath, pointed at an API (the embedded mock, or a real one) by a
 * kubeconfig, as outside a cluster. The JVM runs with the chart's options and memory limit for the role ({@link Chart});
 * {@code -Dbench.proxyJvmArgs="..."} or {@code -Dbench.operatorJvmArgs="..."} add flags (e.g.
 * {@code -XX:StartFlightRecording=...}). Its GC log goes to {@code <name>-gc.log} beside its output.
 */
final class TetherProcess implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(50);
    final ChildJvm jvm;
    final List<String> jvmArgs;
    private final String baseUrl;
    private final OkHttpClient http;

    private TetherProcess(ChildJvm jvm, List<String> jvmArgs, String baseUrl, OkHttpClient http) {
        this.jvm = jvm;
        this.jvmArgs = jvmArgs;
        this.baseUrl = baseUrl;
        this.http = http;
    }

    /** {@code tether proxy --event-loops <eventLoops>} serving {@link BenchApi#NS} of the API {@code kubeconfig} names. */
    static TetherProcess proxy(String name, String kubeconfig, Path dir, OkHttpClient http, int eventLoops) throws IOException {
        return start("proxy", null, name, kubeconfig, dir, http, List.of("--default-namespace", BenchApi.NS, "--shutdown-grace", "1s",
                "--event-loops", Integer.toString(eventLoops)));
    }

    /**
     * {@code tether operator} (reconciler and heartbeat endpoint) for {@code namespace}, with the chart's operator options
     * and {@code memory} as its container limit.
     */
    static TetherProcess operator(String name, String kubeconfig, Path dir, OkHttpClient http, String namespace, String memory,
            Duration heartbeatStatusInterval) throws IOException {
        return start("operator", memory, name, kubeconfig, dir, http, List.of("--namespaces", namespace, "--default-namespace", namespace,
                "--heartbeat-status-interval", heartbeatStatusInterval.toSeconds() + "s"));
    }

    /**
     * {@code tether <role> --port <port> <roleArgs>} with the chart's options and memory limit for the role: for a run
     * whose roles must know each other's address before they start (the operator's {@code --platform-url} is the proxy).
     */
    static TetherProcess start(String role, String name, String kubeconfig, Path dir, OkHttpClient http, int port, List<String> roleArgs)
            throws IOException {
        return start(role, null, name, kubeconfig, dir, http, port, roleArgs);
    }

    private static TetherProcess start(String role, String memory, String name, String kubeconfig, Path dir, OkHttpClient http,
            List<String> roleArgs) throws IOException {
        return start(role, memory, name, kubeconfig, dir, http, Bench.freePort(), roleArgs);
    }

    private static TetherProcess start(String role, String memory, String name, String kubeconfig, Path dir, OkHttpClient http, int port,
            List<String> roleArgs) throws IOException {
        Path config = Files.writeString(dir.resolve(name + ".kubeconfig"), kubeconfig);
        List<String> jvmArgs = new ArrayList<>(Chart.jvmOptions(role, memory));
        jvmArgs.add("-Xlog:gc:file=" + dir.resolve(name + "-gc.log"));
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            jvmArgs.add("-Dlogback.configurationFile=" + logback); // the benchmarks' config: warnings only
        }
        String extra = System.getProperty("bench." + role + "JvmArgs", "").trim();
        if (!extra.isEmpty()) {
            jvmArgs.addAll(List.of(extra.split("\\s+")));
        }
        List<String> args = new ArrayList<>(List.of(role, "--port", Integer.toString(port)));
        args.addAll(roleArgs);
        ChildJvm jvm = ChildJvm.start(name, dir, jvmArgs, Tether.class.getName(), args, Map.of("KUBECONFIG", config.toString()));
        return new TetherProcess(jvm, jvmArgs, "http://127.0.0.1:" + port, http);
    }

    String baseUrl() {
        return baseUrl;
    }

    long pid() {
        return jvm.pid();
    }

    String url(String workspace) {
        return baseUrl + "/workspaces/" + BenchApi.NS + "/" + workspace + "/a2a";
    }

    void awaitReady() {
        BenchApi.require(Duration.ofSeconds(60), POLL, jvm.name() + " ready", () -> {
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

    /** Its /metrics (Prometheus text). */
    String metrics() {
        jvm.requireAlive();
        try (Response response = http.newCall(new Request.Builder().url(baseUrl + "/metrics").build()).execute()) {
            return response.body().string();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + jvm.name() + "'s /metrics: " + e, e);
        }
    }

    /** The sum of the samples on /metrics whose line starts with {@code prefix} and contains {@code label}. */
    private double metric(String prefix, String label) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics().split("\n")) {
            if (line.startsWith(prefix) && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no " + prefix + "..." + label + " on " + jvm.name() + "'s /metrics");
        }
        return sum;
    }

    /** The status of a GET, -1 when it fails to connect. */
    static int status(OkHttpClient http, String url) {
        try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.code();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        jvm.close();
    }
}
