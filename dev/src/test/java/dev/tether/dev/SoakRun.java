package dev.tether.dev;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceSpec;
import dev.tether.config.DurationConverter;
import dev.tether.embedded.MergePatchConformingDispatcher;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.EmbeddedCluster;
import dev.tether.testing.Probes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The soak: the whole system on the embedded API (operator, proxy, four agents) under mixed heartbeats,
 * registrations, dispatches and bad requests for a given time, with faults injected: API outages,
 * an agent that goes silent for a while, an agent that dies and comes back, and a stream of malformed
 * requests. Every answer is checked against what the fault plan allows at that moment; once a minute
 * it samples heap used after GC, platform threads and open file descriptors.
 *
 * <p>Not part of the build: {@code ./mvnw -B -ntp -pl operator -am -Psoak test -Dsoak.duration=10m}
 * (docs/reliability.md). Exits 1 on any unexpected answer or a leak.
 */
public final class SoakRun {
    private static final String NS = "soak";
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final String MESSAGE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"message\":"
            + "{\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"soak\"}]}}}";
    /** Heap may grow this much between the first and the last loaded minute before it counts as a leak. */
    private static final long HEAP_SLACK = 48L << 20;
    private static final int THREAD_SLACK = 8;
    private static final int FD_SLACK = 32;

    /** A fault window: from, until (exclusive), plus how long its effects may linger. */
    private record Window(Instant from, Instant until, Duration linger) {
        boolean covers(Instant sent, Instant answered) {
            return !answered.isBefore(from) && sent.isBefore(until.plus(linger));
        }
    }

    /** One per-minute sample. */
    private record Sample(int minute, long requests, long unexpected, long heapUsed, int threads, long fds) {
        String label() {
            return minute < 0 ? "idle" : minute == 0 ? "warm" : "minute " + minute;
        }

        String row() {
            return String.format("| %9s | %8d | %10d | %8.1f | %7d | %4d |", label(), requests, unexpected, heapUsed / 1048576.0, threads, fds);
        }
    }

    private final Duration duration;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30))
            .retryOnConnectionFailure(false).build();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final List<String> unexpectedSamples = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LongAdder requests = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final List<Window> outages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Window> silences = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Window> deaths = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean moodySilent = new AtomicBoolean();
    /** Malformed requests come from their own client, one connection each, as an attacker's would. */
    private final OkHttpClient badHttp = http.newBuilder().connectionPool(new okhttp3.ConnectionPool(0, 1, TimeUnit.SECONDS)).build();

    private SoakRun(Duration duration) {
        this.duration = duration;
    }

    public static void main(String[] args) throws Exception {
        Duration duration = DurationConverter.parse(args.length > 0 ? args[0] : "10m");
        boolean ok = new SoakRun(duration).run();
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws Exception {
        EmbeddedCluster api = new EmbeddedCluster(new MergePatchConformingDispatcher(), true);
        SampleAgent steady = SampleAgent.start(Duration.ZERO, 0);
        SampleAgent moody = SampleAgent.start(Duration.ZERO, 0);
        SampleAgent silent = SampleAgent.start(IDLE.multipliedBy(3), 0);
        AtomicMortal mortal = new AtomicMortal(SampleAgent.start(Duration.ZERO, 0));
        PolicySettings policy = new PolicySettings(IDLE, Duration.ofSeconds(1), Duration.ofHours(2), Duration.ofMinutes(30));
        OperatorRole operator = OperatorRole.start(api.client(), new OperatorSettings(0, List.of(NS), NS,
                new ReconcilerSettings(policy, Duration.ofSeconds(180)), Duration.ofSeconds(60), false, null, "default"), Clock.systemUTC());
        DispatchProxy proxy = DispatchProxy.start(api.client(), ProxySettings.builder().host("127.0.0.1").port(0)
                .namespaces(List.of(NS)).defaultNamespace(NS).defaultIdleTimeout(IDLE).build());
        Map<String, String> agents = Map.of("steady", steady.url(), "moody", moody.url(), "silent", silent.url(), "mortal", mortal.url());
        Map<String, String> tokens = new TreeMap<>();
        agents.forEach((name, url) -> create(api, name, url));
        agents.keySet().forEach(name -> tokens.put(name, token(api, name)));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Probes.ready(proxy.baseUrl()));

        String operatorUrl = operator.baseUrl();
        String proxyUrl = proxy.baseUrl();
        Sample idleBefore = sample(-1);
        List<Sample> samples = new ArrayList<>();
        System.out.printf("soak: %s on the embedded API; operator %s, proxy %s%n", DurationConverter.format(duration), operatorUrl, proxyUrl);

        ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
        Instant start = Instant.now();
        Instant end = start.plus(duration);
        for (String name : List.of("steady", "moody", "mortal")) { // "silent" is silent: no bytes, no heartbeats
            load.submit(loop(Duration.ofMillis(100), () -> {
                if (!name.equals("moody") || !moodySilent.get()) {
                    heartbeat(operatorUrl, name, tokens.get(name));
                }
            }));
        }
        load.submit(loop(Duration.ofSeconds(2), () -> register(operatorUrl, "steady", tokens.get("steady"), steady.url())));
        for (int i = 0; i < 2; i++) {
            load.submit(loop(Duration.ofMillis(20), () -> dispatch(proxyUrl, "steady", Set.of(200))));
        }
        load.submit(loop(Duration.ofMillis(50), () -> dispatch(proxyUrl, "moody", Set.of(200))));
        load.submit(loop(Duration.ofMillis(200), () -> dispatch(proxyUrl, "silent", Set.of(503))));
        load.submit(loop(Duration.ofMillis(50), () -> dispatch(proxyUrl, "mortal", Set.of(200))));
        load.submit(loop(Duration.ofMillis(25), new BadRequests(operatorUrl, proxyUrl, tokens.get("steady"))::next));

        // The fault plan: three API outages, three silent spells of "moody", three deaths of "mortal", spread over the run.
        Duration outage = min(Duration.ofSeconds(10), duration.dividedBy(10));
        int minute = 0;
        Instant nextSample = start.plus(Duration.ofMinutes(1));
        // Pools grow to their working size under load and keep it: leaks are judged against this warm sample.
        Instant warmAt = start.plus(min(Duration.ofSeconds(30), duration.dividedBy(5)));
        Sample warm = null;
        Map<String, Long> threadsWarm = Map.of();
        int fault = 0;
        while (Instant.now().isBefore(end)) {
            if (warm == null && !Instant.now().isBefore(warmAt)) {
                warm = sample(0);
                threadsWarm = threadsByName(Thread.getAllStackTraces().keySet());
                System.out.println(warm.row());
            }
            Instant faultAt = start.plus(duration.multipliedBy(2L * fault + 1).dividedBy(7));
            if (fault < 3 && !Instant.now().isBefore(faultAt)) {
                inject(api, moody, mortal, outage);
                fault++;
            }
            if (!Instant.now().isBefore(nextSample)) {
                Sample s = sample(++minute);
                samples.add(s);
                System.out.println(s.row());
                nextSample = nextSample.plus(Duration.ofMinutes(1));
            }
            Thread.sleep(200);
        }
        running.set(false);
        load.shutdown();
        boolean drained = load.awaitTermination(30, TimeUnit.SECONDS);
        http.connectionPool().evictAll();
        badHttp.connectionPool().evictAll();
        // Idle pools let their threads go after a minute or so: wait (bounded) for the count to settle.
        Sample idleAfter = sample(-1);
        for (int i = 0; i < 18 && idleAfter.threads() > warm.threads() + THREAD_SLACK; i++) {
            Thread.sleep(5000);
            idleAfter = sample(-1);
        }
        System.out.println("platform threads by name, warm:       " + threadsWarm);
        System.out.println("platform threads by name, idle after: " + threadsByName(Thread.getAllStackTraces().keySet()));

        proxy.close();
        operator.close();
        Stream.of(steady, moody, silent).forEach(SampleAgent::close);
        mortal.close();
        api.close();
        return report(idleBefore, warm, samples, idleAfter, drained);
    }

    private void inject(EmbeddedCluster api, SampleAgent moody, AtomicMortal mortal, Duration length) throws Exception {
        Instant from = Instant.now();
        Window window = new Window(from, from.plus(length), Duration.ofSeconds(20));
        outages.add(window);
        silences.add(new Window(from, from.plus(length), IDLE.plusSeconds(1)));
        deaths.add(new Window(from, from.plus(length), IDLE.plusSeconds(1)));
        System.out.printf("fault at %s: API outage, moody silent, mortal dead for %s%n", from, DurationConverter.format(length));
        moodySilent.set(true);
        moody.silence(IDLE.multipliedBy(3));
        mortal.kill();
        try (AutoCloseable ignored = api.outage()) {
            Thread.sleep(length.toMillis());
        } finally {
            moody.silence(Duration.ZERO);
            moodySilent.set(false);
            mortal.revive();
        }
    }

    private Runnable loop(Duration every, Runnable body) {
        return () -> {
            while (running.get()) {
                try {
                    body.run();
                } catch (RuntimeException e) {
                    unexpected("loop", e.toString());
                }
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        };
    }

    private void heartbeat(String operatorUrl, String name, String token) {
        String body = "{\"workspace_id\":\"" + NS + "/" + name + "\",\"active_tasks\":" + (System.nanoTime() & 7)
                + ",\"uptime_seconds\":" + (System.currentTimeMillis() / 1000) + ",\"error_rate\":0.0}";
        call("heartbeat", post(operatorUrl + "/registry/heartbeat", body, token), Set.of(200));
    }

    private void register(String operatorUrl, String name, String token, String url) {
        String body = "{\"id\":\"" + NS + "/" + name + "\",\"url\":\"" + url + "\",\"agent_card\":{\"name\":\"" + name + "\"}}";
        call("register", post(operatorUrl + "/registry/register", body, token), Set.of(200));
    }

    private void dispatch(String proxyUrl, String name, Set<Integer> expected) {
        call("dispatch-" + name, post(proxyUrl + "/workspaces/" + NS + "/" + name + "/a2a", MESSAGE, null), expected);
    }

    private static Request post(String url, String body, String token) {
        Request.Builder b = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    /** Sends and checks: {@code normal} statuses are always fine, a fault's own status only while its window overlaps the call. */
    private void call(String kind, Request request, Set<Integer> normal) {
        Instant sent = Instant.now();
        int status;
        try (Response r = (kind.equals("bad") ? badHttp : http).newCall(request).execute()) {
            r.body().bytes();
            status = r.code();
        } catch (IOException e) {
            unexpected(kind, e.toString());
            return;
        }
        requests.increment();
        outcomes.computeIfAbsent(kind + " " + status, k -> new LongAdder()).increment();
        Instant answered = Instant.now();
        if (normal.contains(status) || allowedByFault(kind, status, sent, answered)) {
            return;
        }
        unexpected(kind, "HTTP " + status + " at " + answered);
    }

    /** API outage: the registry answers 503; moody's silence: the proxy's idle 503; mortal's death: 502. */
    private boolean allowedByFault(String kind, int status, Instant sent, Instant answered) {
        List<Window> windows = switch (kind) {
            case "heartbeat", "register" -> status == 503 ? outages : List.of();
            case "dispatch-moody" -> status == 503 ? silences : List.of();
            // A dead agent refuses connections (502); one dying mid-call leaves the caller in silence (idle 503).
            case "dispatch-mortal" -> status == 502 || status == 503 ? deaths : List.of();
            default -> List.<Window>of();
        };
        return windows.stream().anyMatch(w -> w.covers(sent, answered));
    }

    private void unexpected(String kind, String what) {
        unexpected.increment();
        if (unexpectedSamples.size() < 20) {
            unexpectedSamples.add(kind + ": " + what);
        }
    }

    /** Malformed requests in rotation; each has exactly one right answer. */
    private final class BadRequests {
        private final List<Map.Entry<Request, Integer>> cases;
        private final AtomicLong next = new AtomicLong();

        BadRequests(String operatorUrl, String proxyUrl, String token) {
            String hb = operatorUrl + "/registry/heartbeat";
            String a2a = proxyUrl + "/workspaces/" + NS + "/steady/a2a";
            cases = List.of(
                    Map.entry(post(hb, "{\"workspace_id\":\"" + NS + "/steady\"}", null), 401),
                    Map.entry(post(hb, "{\"workspace_id\":\"" + NS + "/steady\"}", "wrong-token"), 401),
                    Map.entry(post(hb, "{\"workspace_id\":", token), 400),
                    Map.entry(post(hb, "{\"workspace_id\":\"" + NS + "/steady\",\"error_rate\":2}", token), 400),
                    Map.entry(post(hb, "{\"workspace_id\":\"" + NS + "/steady\",\"x\":\"" + "a".repeat(70_000) + "\"}", token), 413),
                    Map.entry(new Request.Builder().url(hb).header("Authorization", "Bearer " + token)
                            .post(RequestBody.create("{}", MediaType.get("text/plain"))).build(), 415),
                    Map.entry(new Request.Builder().url(hb).get().build(), 405),
                    Map.entry(post(a2a, "[]", null), 400),
                    Map.entry(post(a2a, "{\"jsonrpc\":\"1.0\",\"method\":\"m\"}", null), 400),
                    Map.entry(post(proxyUrl + "/workspaces/" + NS + "/nobody/a2a", MESSAGE, null), 404));
        }

        void next() {
            Map.Entry<Request, Integer> c = cases.get((int) (next.getAndIncrement() % cases.size()));
            call("bad", c.getKey(), Set.of(c.getValue()));
        }
    }

    /** An agent that can die and come back on the same port. */
    private static final class AtomicMortal implements AutoCloseable {
        private final int port;
        private final String url;
        private volatile SampleAgent agent;

        AtomicMortal(SampleAgent agent) {
            this.agent = agent;
            this.port = agent.port();
            this.url = agent.url();
        }

        String url() {
            return url;
        }

        synchronized void kill() {
            if (agent != null) {
                agent.close();
                agent = null;
            }
        }

        synchronized void revive() {
            if (agent == null) {
                agent = SampleAgent.start(Duration.ZERO, port);
            }
        }

        @Override
        public void close() {
            kill();
        }
    }

    private static void create(EmbeddedCluster api, String name, String url) {
        Workspace ws = new Workspace();
        ws.getMetadata().setName(name);
        ws.getMetadata().setNamespace(NS);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl(url);
        api.client().resource(ws).create();
    }

    private static String token(EmbeddedCluster api, String name) {
        return TokenSecrets.token(api.client().secrets().inNamespace(NS).withName(TokenSecrets.name(name))
                .waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS));
    }

    private Sample sample(int minute) throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long fds;
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            fds = open.count();
        }
        return new Sample(minute, requests.sum(), unexpected.sum(), heap, threads, fds);
    }

    private boolean report(Sample before, Sample warm, List<Sample> samples, Sample after, boolean drained) {
        System.out.println();
        System.out.println("| sample    | requests | unexpected | heap MiB | threads | fds  |");
        System.out.println("|-----------|----------|------------|----------|---------|------|");
        System.out.println(before.row());
        System.out.println(warm.row());
        samples.forEach(s -> System.out.println(s.row()));
        System.out.println(after.row());
        System.out.println();
        new TreeMap<>(outcomes).forEach((k, v) -> System.out.printf("  %-24s %d%n", k, v.sum()));
        List<String> failures = new ArrayList<>();
        if (unexpected.sum() > 0) {
            failures.add(unexpected.sum() + " unexpected answers, e.g. " + unexpectedSamples);
        }
        if (!drained) {
            failures.add("load loops did not stop within 30 s");
        }
        if (samples.size() >= 2) {
            long growth = samples.getLast().heapUsed() - samples.getFirst().heapUsed();
            if (growth > HEAP_SLACK) {
                failures.add("heap after GC grew " + (growth >> 20) + " MiB from minute 1 to the last minute");
            }
        }
        for (Sample s : Stream.concat(samples.stream(), Stream.of(after)).toList()) {
            if (s.threads() > warm.threads() + THREAD_SLACK) {
                failures.add("platform threads " + warm.threads() + " warm -> " + s.threads() + " at " + s.label());
            }
            if (s.fds() > warm.fds() + FD_SLACK) {
                failures.add("open file descriptors " + warm.fds() + " warm -> " + s.fds() + " at " + s.label());
            }
        }
        System.out.println(failures.isEmpty() ? "SOAK PASSED" : "SOAK FAILED: " + String.join("; ", failures));
        return failures.isEmpty();
    }

    /** Thread names with their numbers taken out, counted: where a leak would show. */
    private static Map<String, Long> threadsByName(java.util.Collection<Thread> threads) {
        return threads.stream().filter(t -> !t.isVirtual()).collect(java.util.stream.Collectors.groupingBy(
                t -> t.getName().replaceAll("[0-9]+$", "#"), TreeMap::new, java.util.stream.Collectors.counting()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
