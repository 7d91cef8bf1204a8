package dev.tether.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An nginx a benchmark starts from one of the templates in {@code operator/src/bench/} ({@code @KEY@} placeholders),
 * in the foreground, so that its master is this JVM's child and its workers the master's. Reports the CPU and RSS of
 * the master and workers together; closing it (or this JVM's exit) stops it.
 */
final class Nginx implements AutoCloseable {
    private final String name;
    private final Process master;
    private final Path out;
    private final Thread killOnExit;

    private Nginx(String name, Process master, Path out) {
        this.name = name;
        this.master = master;
        this.out = out;
        killOnExit = new Thread(master::destroyForcibly, name + "-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** {@code template} (a file name under operator/src/bench) filled with {@code vars}, run with prefix {@code dir/name}. */
    static Nginx start(String template, Path dir, String name, Map<String, String> vars, int workers) throws IOException {
        Path prefix = Files.createDirectories(dir.resolve(name));
        String conf = Files.readString(benchDir().resolve(template)).replace("@PREFIX@", prefix.toString())
                .replace("@WORKERS@", Integer.toString(workers));
        for (Map.Entry<String, String> v : vars.entrySet()) {
            conf = conf.replace("@" + v.getKey() + "@", v.getValue());
        }
        if (conf.contains("@")) {
            throw new AssertionError("unfilled placeholder in " + template + ": " + conf.substring(conf.indexOf('@')));
        }
        Path file = Files.writeString(prefix.resolve("nginx.conf"), conf);
        Path out = prefix.resolve("nginx.out");
        Process p = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", file.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Nginx nginx = new Nginx(name, p, out);
        BenchApi.require(Duration.ofSeconds(10), Duration.ofMillis(20), name + " workers started", () -> {
            nginx.requireAlive();
            return nginx.workers().size() == workers;
        });
        return nginx;
    }

    static Path benchDir() {
        return Path.of(System.getProperty("tether.repoRoot"), "operator", "src", "bench");
    }

    void requireAlive() {
        if (!master.isAlive()) {
            String text;
            try {
                text = Files.readString(out);
            } catch (IOException e) {
                text = e.toString();
            }
            throw new AssertionError(name + " exited with " + master.exitValue() + ": " + text);
        }
    }

    List<Long> workers() {
        return master.toHandle().children().map(ProcessHandle::pid).toList();
    }

    /** The master and its workers. */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>(List.of(master.pid()));
        pids.addAll(workers());
        return pids;
    }

    /** CPU time of the workers (the master does no request work), nanos. */
    long workersCpuNanos() {
        return workers().stream().mapToLong(Bench::cpuNanos).sum();
    }

    /** The system part of it, nanos. */
    long workersSystemCpuNanos() {
        return workers().stream().mapToLong(Bench::systemCpuNanos).sum();
    }

    /** RSS of the master and workers together, KiB. */
    long rssKiB() {
        return pids().stream().mapToLong(Bench::rssKiB).sum();
    }

    /** SIGTERM (nginx's fast shutdown, workers included), then SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        ChildJvm.stop(master, killOnExit);
    }
}
