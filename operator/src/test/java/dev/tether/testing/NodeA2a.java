package dev.tether.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.TestAbortedException;

/**
 * The A2A conformance harness in {@code src/test/node/a2a-conformance}: an agent and a client built on the official
 * {@code @a2a-js/sdk} (see its README). {@link #startAgent} runs {@code agent.mjs}; {@link Client#run} runs
 * {@code client.mjs} and returns its scenarios' outcomes. The first use in a JVM runs {@code npm ci} there when
 * {@code node_modules} is missing. Without {@code node}/{@code npm} (Node 20 or newer) the tests are skipped on a
 * laptop and fail under {@code CI=true}, as {@link RealKubeApi} treats a missing kube-apiserver. Every process started
 * here ends when its owner is closed, and at the latest when this JVM exits.
 */
public final class NodeA2a {
    public static final Path DIR = RepoFiles.path("operator/src/test/node/a2a-conformance");
    private static final Path LOGS = RepoFiles.path("operator/target/node-a2a");
    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static boolean installed;

    private NodeA2a() {
    }

    /** Node and the harness's packages are there ({@code npm ci} once per JVM if {@code node_modules} is not). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        requireNode();
        if (!Files.isRegularFile(DIR.resolve("node_modules/.package-lock.json"))) {
            Path log = logFile("npm-ci.log");
            Process npm = start(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").redirectErrorStream(true).redirectOutput(log.toFile()));
            int exit = waitFor(npm, NPM_CI_TIMEOUT, "npm ci in " + DIR);
            if (exit != 0) {
                throw new AssertionError("npm ci in " + DIR + " exited with " + exit + ":\n" + tail(log));
            }
        }
        installed = true;
    }

    /** {@code agent.mjs} on a free port of 127.0.0.1, its extended card behind {@code Authorization: Bearer <secret>}. */
    public static Agent startAgent(String secret) {
        return startAgent(secret, 0);
    }

    /** {@code agent.mjs} on {@code port} of 127.0.0.1 (0: a free one): a restarted agent comes back where it was. */
    public static Agent startAgent(String secret, int port) {
        install();
        String name = "agent-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path out = logFile(name + ".out");
        Path err = logFile(name + ".err");
        ProcessBuilder builder = new ProcessBuilder("node", "agent.mjs", Integer.toString(port)).redirectError(err.toFile());
        builder.environment().put("AGENT_SECRET", secret);
        Process process = start(builder);
        Agent agent = new Agent(process, err);
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name + "-stdout").start(() -> drainStdout(process, out, ready));
        try {
            agent.port = ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return agent;
        } catch (InterruptedException e) {
            agent.close();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for agent.mjs", e);
        } catch (ExecutionException | TimeoutException e) {
            agent.close();
            throw new AssertionError("agent.mjs did not print READY within " + READY_TIMEOUT + ":\n" + tail(err), e);
        }
    }

    /** A client.mjs run against {@code baseUrl} (an agent's base, or the proxy's {@code /workspaces/{ns}/{name}/}). */
    public static Client client(String baseUrl) {
        return new Client(baseUrl, List.of());
    }

    /** A running agent.mjs; closing it ends the process. */
    public static final class Agent implements AutoCloseable {
        private final Process process;
        private final Path stderr;
        private final Thread killOnExit;
        private int port;

        private Agent(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            killOnExit = new Thread(process::destroyForcibly, "agent.mjs-kill");
            Runtime.getRuntime().addShutdownHook(killOnExit);
        }

        public int port() {
            return port;
        }

        /** {@code http://127.0.0.1:<port>/}: where its card is found, as a stock client is given it. */
        public String baseUrl() {
            return "http://127.0.0.1:" + port + "/";
        }

        /** What it wrote to stderr so far (the SDK logs there). */
        public String stderr() {
            return tail(stderr);
        }

        @Override
        public void close() {
            stop(process);
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException exiting) {
                // this JVM is exiting: the hook runs and finds the process gone
            }
        }
    }

    /** The options of one client.mjs run, added as its command-line arguments. */
    public record Client(String baseUrl, List<String> options) {
        /** {@code JSONRPC} or {@code HTTP+JSON}: preferred over the card's own preference. */
        public Client transport(String transport) {
            return with("--transport", transport);
        }

        /** A header on every request the client makes (card, calls, raw requests) unless the call sets it. */
        public Client header(String name, String value) {
            return with("--header", name + ": " + value);
        }

        /** The bearer token the extended-card scenario presents. */
        public Client secret(String secret) {
            return with("--secret", secret);
        }

        /** The silence inside the stream-gap scenario's stream. */
        public Client gap(Duration gap) {
            return with("--gap-ms", Long.toString(gap.toMillis()));
        }

        /** How long idle-reuse waits between its two sends. */
        public Client idle(Duration idle) {
            return with("--idle-ms", Long.toString(idle.toMillis()));
        }

        private Client with(String option, String value) {
            List<String> more = new ArrayList<>(options);
            more.add(option);
            more.add(value);
            return new Client(baseUrl, List.copyOf(more));
        }

        /** Runs the scenarios ("all" or names) and returns each one's normalised outcome, in the order they ran. */
        public Map<String, JsonNode> run(Duration timeout, String... scenarios) {
            install();
            List<String> command = new ArrayList<>(List.of("node", "client.mjs", baseUrl));
            command.addAll(options);
            command.addAll(List.of(scenarios));
            String name = "client-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            Path out = logFile(name + ".out");
            Path err = logFile(name + ".err");
            Process process = start(new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()));
            try {
                int exit = waitFor(process, timeout, String.join(" ", command));
                if (exit != 0) {
                    throw new AssertionError(String.join(" ", command) + " exited with " + exit + ":\n" + tail(out) + tail(err));
                }
                Map<String, JsonNode> outcomes = new LinkedHashMap<>();
                for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                    JsonNode json = MAPPER.readTree(line);
                    outcomes.put(json.get("scenario").asText(), json.get("outcome"));
                }
                return outcomes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                stop(process);
            }
        }
    }

    private static void requireNode() {
        String problem = null;
        try {
            String version = output("node", "--version").trim(); // v20.11.1
            int major = Integer.parseInt(version.replaceFirst("^v(\\d+).*$", "$1"));
            if (major < 20) {
                problem = "node " + version + " is older than 20";
            } else {
                output("npm", "--version");
            }
        } catch (IOException | NumberFormatException e) {
            problem = "node and npm are needed for the A2A SDK harness (" + e.getMessage() + ")";
        }
        if (problem != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(problem);
            }
            throw new TestAbortedException(problem);
        }
    }

    private static String output(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (waitFor(process, Duration.ofSeconds(30), String.join(" ", command)) != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + text);
        }
        return text;
    }

    /** Copies the agent's stdout to {@code out} until it ends (a full pipe would stall it), completing {@code ready} on READY. */
    private static void drainStdout(Process agent, Path out, CompletableFuture<Integer> ready) {
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
                var copy = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                copy.write(line);
                copy.newLine();
                copy.flush();
                if (!ready.isDone() && line.startsWith("READY ")) {
                    ready.complete(Integer.parseInt(line.substring("READY ".length()).trim()));
                }
            }
            ready.completeExceptionally(new IllegalStateException("agent.mjs ended its output before READY"));
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
        }
    }

    private static Process start(ProcessBuilder builder) {
        try {
            return builder.directory(DIR.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
    }

    private static int waitFor(Process process, Duration timeout, String what) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process);
                throw new AssertionError(what + " did not finish within " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** SIGTERM, then SIGKILL after 5 s; children first (node starts none, npm does). */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Path logFile(String name) {
        try {
            Files.createDirectories(LOGS);
            return LOGS.resolve(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.exists(file) ? Files.readString(file) : "";
            return text.length() > 8_000 ? "...\n" + text.substring(text.length() - 8_000) : text;
        } catch (IOException e) {
            return "(unreadable " + file + ": " + e + ")";
        }
    }
}
