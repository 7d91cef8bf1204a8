package dev.tether.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One wrk run with a Lua script of operator/src/bench/ (settings passed as environment variables) and what it printed:
 * throughput, p50/p99 latency, requests, answers that were not 2xx, socket errors, and the wrk process's own CPU when
 * the script prints {@code wrkCpuS=} in its {@code done()}.
 */
record Wrk(double rps, double p50Ms, double p99Ms, long requests, long non2xx, long socketErrors, double cpuSeconds, String output) {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PCT = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ");
    private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern CPU = Pattern.compile("wrkCpuS=([0-9.]+)");

    /** {@code wrk -t<threads> -c<connections> -d<seconds>s --latency -s <script> <url>} with {@code env} added. */
    static Wrk run(String script, String url, int threads, int connections, int seconds, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "30s", "--latency", "-s", Nginx.benchDir().resolve(script).toString(), url));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("wrk did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Matcher rps = RPS.matcher(text);
        Matcher requests = REQUESTS.matcher(text);
        if (p.exitValue() != 0 || !rps.find() || !requests.find()) {
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
        Matcher socket = SOCKET.matcher(text);
        long socketErrors = 0;
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(socket.group(g));
            }
        }
        Matcher cpu = CPU.matcher(text);
        return new Wrk(Double.parseDouble(rps.group(1)), p50, p99, Long.parseLong(requests.group(1)),
                non.find() ? Long.parseLong(non.group(1)) : 0, socketErrors, cpu.find() ? Double.parseDouble(cpu.group(1)) : Double.NaN,
                text);
    }
}
