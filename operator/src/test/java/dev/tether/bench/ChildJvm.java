package dev.tether.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM a benchmark starts as a process of its own, on this JVM's {@code java} and classpath, so that what
 * it measures there (heap, RSS, file descriptors) is that process alone. Its stdout and stderr go to
 * {@code <name>.out} and {@code <name>.err} in a directory of the benchmark's; closing it always ends the
 * process (SIGTERM, then SIGKILL), and so does this JVM's exit.
 */
final class ChildJvm implements AutoCloseable {
    private static final Path JDK_BIN = Path.of(System.getProperty("java.home"), "bin");

    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;
    private final Thread killOnExit;

    private ChildJvm(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.err = err;
        killOnExit = new Thread(process::destroyForcibly, name + "-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code java <jvmArgs> -cp <this classpath> <mainClass> <args>}. The environment is this
     * one's without {@code KUBERNETES_*}, {@code KUBECONFIG} and {@code TETHER_*}, plus {@code env}: the
     * child sees only the configuration the benchmark gives it.
     */
    static ChildJvm start(String name, Path dir, List<String> jvmArgs, String mainClass, List<String> args,
            Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(JDK_BIN.resolve("java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        // -Dbench.childClasspath=<another build's tether.jar> runs the child roles from that build, to compare builds in one sitting.
        command.add(System.getProperty("bench.childClasspath", System.getProperty("java.class.path")));
        command.add(mainClass);
        command.addAll(args);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG") || k.startsWith("TETHER_"));
        builder.environment().putAll(env);
        return new ChildJvm(name, builder.start(), out, err);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** Fails when the process has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + "; its output: " + out + ", " + err);
        }
    }

    /** {@code jcmd <pid> <command...>}, e.g. {@code GC.run}: its output; fails when jcmd does. */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(JDK_BIN.resolve("jcmd").toString(), Long.toString(pid())));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            jcmd.destroyForcibly();
            throw new AssertionError("jcmd " + String.join(" ", command) + " on " + name + " failed:\n" + text);
        }
        return text;
    }

    /**
     * Prints what the process wrote so far (the last 20,000 characters of each stream), every line starting
     * {@code CHILD <name> <stream>|} so that run.sh shows it.
     */
    void printOutput() {
        print(out, "stdout");
        print(err, "stderr");
    }

    private void print(Path file, String stream) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            text = "(unreadable: " + e + ")";
        }
        text = text.length() > 20_000 ? "...\n" + text.substring(text.length() - 20_000) : text;
        String prefix = "CHILD " + name + " " + stream + "| ";
        System.out.println(prefix + file);
        text.lines().forEach(line -> System.out.println(prefix + line));
        System.out.flush();
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    @Override
    public void close() throws InterruptedException {
        stop(process, killOnExit);
    }

    /** Ends {@code process} (SIGTERM, then SIGKILL after 10 s) and drops {@code killOnExit}, the shutdown hook that would have. */
    static void stop(Process process, Thread killOnExit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException exiting) {
            // this JVM is exiting: the hook runs and finds the process gone
        }
    }
}
