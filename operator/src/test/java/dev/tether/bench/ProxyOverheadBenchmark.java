package dev.tether.bench;

import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxyBenchAccess;
import dev.tether.proxy.ProxySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 1, proxy overhead vs nginx: one fast upstream (nginx returning a fixed JSON-RPC answer) on
 * loopback, reached three ways with the same wrk settings and a ~1 KiB JSON-RPC POST: direct, through
 * nginx proxy_pass (keep-alive upstream) and through Tether's dispatch proxy. Each round runs the three
 * back to back, so they share the machine's noise. Saturated: throughput and the Tether/nginx ratio per
 * round. Paced at half of Tether's saturated throughput (wrk with a Lua delay per connection): p50/p99
 * and what each proxy adds over direct. Needs wrk and nginx on the PATH (operator/src/bench/run.sh
 * installs them).
 */
class ProxyOverheadBenchmark {
    static final String NAME = "proxy-overhead";
    static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    static final Pattern PCT = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    record Wrk(double rps, double p50Ms, double p99Ms, long non2xx) {
    }

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int rounds = Bench.pick("rounds", 1, 5);
        int seconds = Bench.pick("seconds", 2, 10);
        int connections = Bench.pick("connections", 64, 64);
        int pacedConnections = Bench.pick("pacedConnections", 16, 16);
        int warmupSeconds = Bench.pick("warmupSeconds", 2, 15);
        Path bench = Path.of(System.getProperty("tether.repoRoot"), "operator", "src", "bench");
        Path prefix = Files.createTempDirectory("tether-bench-nginx");
        int upstreamPort = Bench.freePort();
        int nginxPort = Bench.freePort();
        String conf = Files.readString(bench.resolve("nginx.conf.template"))
                .replace("@PREFIX@", prefix.toString())
                .replace("@UPSTREAM_PORT@", Integer.toString(upstreamPort))
                .replace("@PROXY_PORT@", Integer.toString(nginxPort));
        Files.writeString(prefix.resolve("nginx.conf"), conf);
        Process nginx = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.out").toFile()).start();
        try (BenchApi api = new BenchApi()) {
            ProxySettings settings = ProxySettings.builder().host("127.0.0.1").port(0).defaultNamespace(BenchApi.NS).build();
            try (DispatchProxy proxy = DispatchProxy.start(api.client, settings)) {
                BenchApi.require(Duration.ofSeconds(30), "proxy ready", proxy::isReady);
                api.create("fast", "http://127.0.0.1:" + upstreamPort + "/a2a");
                BenchApi.require(Duration.ofSeconds(10), "workspace known to the proxy",
                        () -> ProxyBenchAccess.idleSeconds(proxy, settings, BenchApi.NS, "fast").isPresent());
                Map<String, String> targets = new LinkedHashMap<>();
                targets.put("direct", "http://127.0.0.1:" + upstreamPort + "/a2a");
                targets.put("nginx", "http://127.0.0.1:" + nginxPort + "/a2a");
                targets.put("tether", proxy.baseUrl() + "/workspaces/" + BenchApi.NS + "/fast/a2a");
                Path lua = bench.resolve("post.lua");
                for (String url : targets.values()) { // warm-up: JIT (C2 needs several seconds of traffic), connection pools
                    wrk(lua, url, connections, warmupSeconds, 0);
                }
                Map<String, List<Wrk>> saturated = new LinkedHashMap<>();
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    for (Map.Entry<String, String> t : targets.entrySet()) {
                        Wrk w = wrk(lua, t.getValue(), connections, seconds, 0);
                        saturated.computeIfAbsent(t.getKey(), k -> new ArrayList<>()).add(w);
                        Bench.print(NAME, "round=%d mode=saturated connections=%d target=%s rps=%.0f p50Ms=%.2f p99Ms=%.2f non2xx=%d",
                                r, connections, t.getKey(), w.rps(), w.p50Ms(), w.p99Ms(), w.non2xx());
                    }
                    ratios.add(last(saturated, "tether").rps() / last(saturated, "nginx").rps());
                }
                double tetherMax = Bench.median(saturated.get("tether").stream().map(Wrk::rps).toList());
                int rate = (int) Math.max(100, tetherMax / 2);
                Map<String, List<Wrk>> paced = new LinkedHashMap<>();
                List<Double> addedP50Tether = new ArrayList<>();
                List<Double> addedP99Tether = new ArrayList<>();
                List<Double> addedP50Nginx = new ArrayList<>();
                List<Double> addedP99Nginx = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    for (Map.Entry<String, String> t : targets.entrySet()) {
                        Wrk w = wrk(lua, t.getValue(), pacedConnections, seconds, rate);
                        paced.computeIfAbsent(t.getKey(), k -> new ArrayList<>()).add(w);
                        Bench.print(NAME, "round=%d mode=paced targetRps=%d connections=%d target=%s rps=%.0f p50Ms=%.3f p99Ms=%.3f non2xx=%d",
                                r, rate, pacedConnections, t.getKey(), w.rps(), w.p50Ms(), w.p99Ms(), w.non2xx());
                    }
                    Wrk direct = last(paced, "direct");
                    addedP50Tether.add(last(paced, "tether").p50Ms() - direct.p50Ms());
                    addedP99Tether.add(last(paced, "tether").p99Ms() - direct.p99Ms());
                    addedP50Nginx.add(last(paced, "nginx").p50Ms() - direct.p50Ms());
                    addedP99Nginx.add(last(paced, "nginx").p99Ms() - direct.p99Ms());
                }
                Bench.print(NAME, "summary rounds=%d seconds=%d saturated medianRps direct=%.0f nginx=%.0f tether=%.0f "
                                + "tetherOverNginx median=%.2f min=%.2f max=%.2f",
                        rounds, seconds, medianRps(saturated, "direct"), medianRps(saturated, "nginx"), tetherMax,
                        Bench.median(ratios), Bench.percentile(ratios, 0), Bench.percentile(ratios, 100));
                Bench.print(NAME, "summary paced at %d req/s (half of Tether's saturated median), medians over rounds: "
                                + "addedOverDirect tether p50=%.3f ms p99=%.3f ms, nginx p50=%.3f ms p99=%.3f ms",
                        rate, Bench.median(addedP50Tether), Bench.median(addedP99Tether), Bench.median(addedP50Nginx),
                        Bench.median(addedP99Nginx));
            }
        } finally {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
    }

    private static Wrk last(Map<String, List<Wrk>> runs, String target) {
        List<Wrk> list = runs.get(target);
        return list.get(list.size() - 1);
    }

    private static double medianRps(Map<String, List<Wrk>> runs, String target) {
        return Bench.median(runs.get(target).stream().map(Wrk::rps).toList());
    }

    /** One wrk run (2 threads); {@code rate} 0 saturates, otherwise each connection is paced to share {@code rate}. */
    static Wrk wrk(Path lua, String url, int connections, int seconds, int rate) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", lua.toString(), url).redirectErrorStream(true);
        pb.environment().put("WRK_RATE", Integer.toString(rate));
        pb.environment().put("WRK_CONNECTIONS", Integer.toString(connections));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("wrk did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Matcher rps = RPS.matcher(text);
        if (p.exitValue() != 0 || !rps.find()) {
            throw new AssertionError("wrk failed on " + url + ":\n" + text);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = PCT.matcher(text);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            };
            if (m.group(1).equals("50")) {
                p50 = v;
            } else {
                p99 = v;
            }
        }
        Matcher non = NON2XX.matcher(text);
        return new Wrk(Double.parseDouble(rps.group(1)), p50, p99, non.find() ? Long.parseLong(non.group(1)) : 0);
    }
}
