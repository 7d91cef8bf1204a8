package dev.tether.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * The kubectl binary users run, against a given kubeconfig. Found on the PATH or at {@code $KUBECTL}; missing, the
 * tests that need it are skipped on a laptop and fail under {@code CI=true} ({@code .ci/run} makes sure it exists).
 */
public final class Kubectl {
    /** What one kubectl command printed and how it exited. */
    public record Result(int exitCode, String out, String err) {
        public Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl exited " + exitCode + ": " + err + out);
            }
            return this;
        }
    }

    private final String binary;
    private final Path kubeconfig;

    public Kubectl(Path kubeconfig) {
        this.binary = find();
        this.kubeconfig = kubeconfig;
    }

    public Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(binary, "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
            }
            Result result = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String find() {
        String configured = System.getenv("KUBECTL");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = "no kubectl on the PATH or at $KUBECTL (.ci/run installs one)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        throw new TestAbortedException(message);
    }
}
