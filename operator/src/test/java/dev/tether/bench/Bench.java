package dev.tether.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What every benchmark shares: the scale it runs at ({@code -Dbench.scale=smoke|full}), percentiles,
 * the process's heap and RSS, and one way of printing figures: lines starting {@code BENCH <name>}
 * that docs/benchmarks.md quotes.
 */
final class Bench {
    enum Scale { SMOKE, FULL }

    private Bench() {
    }

    static Scale scale() {
        return Scale.valueOf(System.getProperty("bench.scale", "smoke").toUpperCase(Locale.ROOT));
    }

    static boolean full() {
        return scale() == Scale.FULL;
    }

    /** {@code smoke} at smoke scale, {@code full} otherwise; either can be overridden with {@code -Dbench.<key>=...}. */
    static int pick(String key, int smoke, int full) {
        return Integer.getInteger("bench." + key, full() ? full : smoke);
    }

    /** Nearest-rank percentile of unsorted values, {@code p} in [0, 100]. */
    static double percentile(Collection<? extends Number> values, double p) {
        List<Double> sorted = new ArrayList<>(values.stream().map(Number::doubleValue).sorted().toList());
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double median(Collection<? extends Number> values) {
        return percentile(values, 50);
    }

    /** Heap used after a full GC, MiB. */
    static long heapAfterGcMiB() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed() >> 20;
    }

    /** Resident set size of this JVM, MiB (Linux {@code /proc}); -1 elsewhere. */
    static long rssMiB() {
        return rssMiB(ProcessHandle.current().pid());
    }

    /** Resident set size of process {@code pid}, MiB (Linux {@code /proc/<pid>/status}); -1 elsewhere. */
    static long rssMiB(long pid) {
        return procNumber(pid, "status", "VmRSS:") >> 10;
    }

    /** Resident set size of process {@code pid}, KiB; -1 when unknown. */
    static long rssKiB(long pid) {
        return procNumber(pid, "status", "VmRSS:");
    }

    /**
     * CPU time process {@code pid} has used, all its threads (user + system, from {@code /proc/<pid>/stat}), in nanos; 0
     * when it is gone. Clock ticks are 1/100 s on Linux.
     */
    static long cpuNanos(long pid) {
        return statTicks(pid, true) * 10_000_000L;
    }

    /** The system (kernel) part of {@link #cpuNanos}: system calls, and on loopback the receiving side's TCP work too. */
    static long systemCpuNanos(long pid) {
        return statTicks(pid, false) * 10_000_000L;
    }

    /** utime + stime (fields 14 and 15 of stat(5)), or stime alone; 0 when the process is gone. */
    private static long statTicks(long pid, boolean user) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3
            return (user ? Long.parseLong(f[11]) : 0) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** File descriptors process {@code pid} holds open; -1 when unknown. */
    static long openFiles(long pid) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The most file descriptors process {@code pid} may open (its soft {@code ulimit -n}); unbounded when unknown. */
    static long fdLimit(long pid) {
        long limit = procNumber(pid, "limits", "Max open files");
        return limit < 0 ? Long.MAX_VALUE : limit;
    }

    /** The first number after {@code prefix} on its line of {@code /proc/<pid>/<file>}; -1 when absent. */
    private static long procNumber(long pid, String file, String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** A loopback port free right now, for a server started elsewhere (nginx, a child JVM). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** CPU time this JVM has used, all its threads together (GC and JIT included), in nanos. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time used by the live processes this JVM started (a real API server and etcd), in nanos. */
    static long childProcessesCpuNanos() {
        return childProcessesCpuNanos(command -> true);
    }

    /** The same for those whose executable's path ends with one of {@code names} (e.g. kube-apiserver, etcd). */
    static long childProcessesCpuNanos(String... names) {
        return childProcessesCpuNanos(command -> Arrays.stream(names).anyMatch(command::endsWith));
    }

    private static long childProcessesCpuNanos(java.util.function.Predicate<String> command) {
        return ProcessHandle.current().descendants().filter(p -> p.info().command().filter(command).isPresent())
                .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /** The 1-minute load average (Linux); the machine is shared, so it says how contended a run was. */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** The sum of a metric's samples in Prometheus text whose labels include every one of {@code labels} ({@code key="value"}). */
    static double metricSum(String prometheusText, String metric, String... labels) {
        double sum = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(metric + "{") && Arrays.stream(labels).allMatch(line::contains)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The machine line every benchmark prints first. */
    static void machine(String name) {
        Runtime rt = Runtime.getRuntime();
        print(name, "scale=%s cpus=%d maxHeapMiB=%d jdk=%s", scale().name().toLowerCase(Locale.ROOT), rt.availableProcessors(),
                rt.maxMemory() >> 20, Runtime.version());
    }

    static void print(String name, String format, Object... args) {
        System.out.println("BENCH " + name + " " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }
}
