package dev.tether.hibernation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.activity.ActivityLease;
import dev.tether.api.Condition;
import dev.tether.api.HibernationSpec;
import dev.tether.api.PodTemplate;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspacePhase;
import dev.tether.embedded.node.NodeStandIn;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.provisioning.RuntimeObjects;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.testing.PrometheusText;
import dev.tether.testing.TierContract;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hibernation as users see it, with the node stand-in as the kubelet: an idle runtime is scaled to zero, the next call
 * wakes it and is answered by it, however many arrive during one wake; a runtime that is thinking (reported active
 * tasks, or a silent dispatch in flight on any proxy replica) is never put to sleep; a wake that never becomes ready is
 * answered 503; a manual hibernate is refused while tasks are active unless forced. Runs on the mock API
 * ({@link HibernationOnMockApiTest}) and a real kube-apiserver ({@link HibernationOnRealApiTest}).
 */
abstract class HibernationContract extends TierContract {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final MediaType JSON = MediaType.get("application/json");
    static final String SEND = """
            {"jsonrpc":"2.0","id":"req-1","method":"message/send",
             "params":{"message":{"role":"user","messageId":"m-1","parts":[{"kind":"text","text":"wake up"}]}}}""";
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path pods;
    OperatorRole operator;
    final List<DispatchProxy> proxies = new ArrayList<>();
    NodeStandIn node;
    Workspaces workspaces;
    int platformPort;
    int operatorPort;
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(90))
            .connectionPool(new ConnectionPool(50, 1, TimeUnit.MINUTES)).build();

    @BeforeEach
    void start() throws IOException {
        workspaces = new Workspaces(client(), namespace());
        platformPort = freePort();
        operatorPort = freePort();
        operator = startOperator();
        proxies.add(startProxy(platformPort));
        node = new NodeStandIn(client(), namespace(), pods, RuntimeObjects.SELECTOR, RuntimeObjects.PORT_NAME);
    }

    @AfterEach
    void stop() {
        node.close();
        proxies.forEach(DispatchProxy::close);
        operator.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** The operator, on the same port each time: a new one takes over where the proxies relay heartbeats. */
    OperatorRole startOperator() {
        return OperatorRole.start(client(), new OperatorSettings(operatorPort, List.of(namespace()), "default",
                new ReconcilerSettings(PolicySettings.DEFAULTS, Duration.ofSeconds(10)), Duration.ofSeconds(1), false,
                "http://127.0.0.1:" + platformPort, "default"), Clock.systemUTC());
    }

    /** A proxy replica; the first one is the platform URL runtimes heartbeat through. Pods stand in on 127.0.0.1. */
    DispatchProxy startProxy(int port) {
        return DispatchProxy.start(client(), ProxySettings.builder().host("127.0.0.1").port(port).namespaces(List.of(namespace()))
                .defaultNamespace(namespace()).registryUrl("http://127.0.0.1:" + operatorPort).allowedRegisteredNetworks(List.of("127.0.0.0/8")).build());
    }

    /** A provisioned workspace whose stand-in runtime gets {@code env}; room for the tasks a busy runtime reports. */
    void provisioned(String name, HibernationSpec hibernation, Map<String, String> env) {
        StringBuilder vars = new StringBuilder();
        env.forEach((k, v) -> vars.append(vars.isEmpty() ? "" : ",").append("{\"name\":\"").append(k).append("\",\"value\":\"").append(v).append("\"}"));
        PodTemplate template;
        try {
            template = new PodTemplate(null, MAPPER.readTree("""
                    {"containers": [{"name": "agent", "image": "example.com/agent:1",
                                     "ports": [{"name": "a2a", "containerPort": 8000}], "env": [%s]}]}""".formatted(vars)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        workspaces.create(name, spec -> {
            spec.setUrl(null);
            spec.setTemplate(template);
            spec.setHibernation(hibernation);
            spec.setMaxConcurrentTasks(10);
        });
    }

    /** The proxy's answer to a message/send, as the caller sees it. */
    record Reply(int code, String retryAfter, String body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + code + "): " + body, e);
            }
        }
    }

    Reply send(DispatchProxy proxy, String name) {
        Request request = new Request.Builder().url(proxy.baseUrl() + "/workspaces/" + namespace() + "/" + name + "/a2a")
                .post(RequestBody.create(SEND, JSON)).build();
        try (Response r = http.newCall(request).execute()) {
            return new Reply(r.code(), r.header("Retry-After"), r.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply send(String name) {
        return send(proxies.getFirst(), name);
    }

    Workspace ws(String name) {
        return workspaces.get(name);
    }

    WorkspacePhase phase(String name) {
        Workspace ws = ws(name);
        return ws.getStatus() == null ? null : ws.getStatus().getPhase();
    }

    Integer replicas(String name) {
        Deployment d = client().apps().deployments().inNamespace(namespace()).withName(name).get();
        return d == null ? null : d.getSpec().getReplicas();
    }

    Condition ready(String name) {
        return ws(name).getStatus().getConditions().stream().filter(c -> c.type().equals("Ready")).findFirst().orElseThrow();
    }

    List<String> events(String name) {
        return client().v1().events().inNamespace(namespace()).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    List<String> eventMessages(String name, String reason) {
        return client().v1().events().inNamespace(namespace()).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    /** As {@code kubectl annotate --overwrite} does it: a merge patch, so concurrent status writes cannot make it conflict. */
    void annotate(String name, String value) {
        workspaces.resource(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + HibernationRule.ANNOTATION + "\":\"" + value + "\"}}}");
    }

    void awaitAwake(String name) {
        await().atMost(WAIT).until(() -> phase(name) == WorkspacePhase.Online && node.running(name) == 1);
    }

    void awaitAwakeAndAnswering(String name) {
        awaitAwake(name);
        assertThat(send(name).code()).isEqualTo(200);
    }

    void awaitHibernated(String name) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(phase(name)).isEqualTo(WorkspacePhase.Hibernated);
            assertThat(replicas(name)).as("the Deployment is scaled to zero").isZero();
            assertThat(node.running(name)).as("no runtime runs").isZero();
        });
    }

    /** A value on the first proxy's /metrics, 0 when the series does not exist. */
    double metric(String name, String... labels) {
        return metric(proxies.getFirst(), name, labels);
    }

    double metric(DispatchProxy proxy, String name, String... labels) {
        try (Response r = http.newCall(new Request.Builder().url(proxy.baseUrl() + "/metrics").build()).execute()) {
            return PrometheusText.value(r.body().string(), name, labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts the times the Deployment's replicas went from 0 to more, from now on. */
    Watch countScaleUps(String name, AtomicInteger count) {
        AtomicInteger last = new AtomicInteger(replicas(name));
        return client().apps().deployments().inNamespace(namespace()).withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                int now = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                if (last.getAndSet(now) == 0 && now > 0) {
                    count.incrementAndGet();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    @Test
    void anIdleRuntimeHibernatesAndTheNextDispatchWakesItAndIsAnsweredByIt() {
        provisioned("researcher", new HibernationSpec(2, 60), Map.of());
        awaitAwakeAndAnswering("researcher");

        awaitHibernated("researcher");
        assertThat(ready("researcher").reason()).isEqualTo("Hibernated");
        assertThat(events("researcher")).contains("Hibernated");

        Reply reply = send("researcher");

        assertThat(reply.code()).as("the caller saw no error: held while the runtime woke, then answered by it").isEqualTo(200);
        assertThat(reply.json().at("/result/workspace").asText()).isEqualTo(namespace() + "/researcher");
        await().atMost(WAIT).until(() -> events("researcher").contains("Woken"));
        assertThat(eventMessages("researcher", "Woken")).singleElement().asString().contains("cold start");
        assertThat(metric("tether_proxy_wakes_total", "workspace=\"" + namespace() + "/researcher\"")).isEqualTo(1);
        assertThat(metric("tether_proxy_cold_start_seconds_count")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void twentyCallersOnTwoProxyReplicasDuringOneWakeCauseOneScaleUpAndAllAreAnswered() throws Exception {
        DispatchProxy second = startProxy(0);
        proxies.add(second);
        provisioned("crowded", null, Map.of());
        awaitAwake("crowded");
        annotate("crowded", "before-the-crowd");
        awaitHibernated("crowded");
        AtomicInteger scaleUps = new AtomicInteger();

        List<Reply> replies;
        try (Watch watch = countScaleUps("crowded", scaleUps); ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                DispatchProxy via = proxies.get(i % 2);
                calls.add(CompletableFuture.supplyAsync(() -> send(via, "crowded"), callers));
            }
            replies = calls.stream().map(CompletableFuture::join).toList();
            await().atMost(WAIT).until(() -> phase("crowded") == WorkspacePhase.Online);
        }

        assertThat(replies).extracting(Reply::code).containsOnly(200).hasSize(20);
        assertThat(scaleUps).as("one scale-up for the whole crowd").hasValue(1);
        for (DispatchProxy proxy : proxies) {
            assertThat(metric(proxy, "tether_proxy_activity_lease_writes_total", "op=\"create\"")).as("one Lease per replica for its crowd")
                    .isEqualTo(1);
        }
        assertThat(events("crowded").stream().filter("Waking"::equals)).hasSize(1);
    }

    @Test
    void aThinkingRuntimeIsNeverHibernatedOnAnyProxyReplica() throws Exception {
        provisioned("busy", new HibernationSpec(1, 60), Map.of("STAND_IN_ACTIVE_TASKS", "1"));
        provisioned("thinking", new HibernationSpec(1, 60), Map.of("STAND_IN_ANSWER_AFTER_MS", "8000"));
        awaitAwakeAndAnswering("busy");
        await().atMost(WAIT).until(() -> ws("busy").getStatus().getRuntime() != null && ws("busy").getStatus().getRuntime().activeTasks() == 1);
        DispatchProxy second = startProxy(0);
        proxies.add(second);

        awaitHibernated("thinking");
        CompletableFuture<Reply> silent = CompletableFuture.supplyAsync(() -> send(second, "thinking"));
        await().atMost(WAIT).until(() -> phase("thinking") == WorkspacePhase.Online && node.running("thinking") == 1);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).untilAsserted(() -> {
            assertThat(phase("thinking")).as("a silent dispatch in flight on another replica keeps it awake").isEqualTo(WorkspacePhase.Online);
            assertThat(phase("busy")).as("the runtime reports an active task").isEqualTo(WorkspacePhase.Online);
        });
        assertThat(silent.get().code()).isEqualTo(200);

        awaitHibernated("thinking");
        assertThat(phase("busy")).isEqualTo(WorkspacePhase.Online);
        assertThat(replicas("busy")).isEqualTo(1);
    }

    @Test
    void aProxyThatDiedMidDispatchKeepsTheWorkspaceAwakeOnlyUntilItsLeaseRunsOut() {
        provisioned("orphaned", new HibernationSpec(1, 60), Map.of());
        awaitAwake("orphaned");
        Instant now = Instant.now();
        // What a replica that died during a dispatch leaves behind: its Lease, last renewed long enough ago to run out in 4 s.
        client().resource(ActivityLease.toLease("default", new WorkspaceId(namespace(), "orphaned"), "dead-replica",
                now.minusSeconds(600), now.minus(ActivityLease.DURATION).plusSeconds(4), ActivityLease.DURATION)).create();

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> phase("orphaned") == WorkspacePhase.Online);
        awaitHibernated("orphaned");
    }

    @Test
    void hibernatedStateSurvivesAnOperatorFailoverAndTheNewOneWakesIt() {
        provisioned("steady", null, Map.of());
        awaitAwake("steady");
        annotate("steady", "night");
        awaitHibernated("steady");

        operator.close();
        operator = startOperator();

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> phase("steady") == WorkspacePhase.Hibernated);
        assertThat(node.running("steady")).as("the new operator does not wake it on its own").isZero();
        assertThat(send("steady").code()).isEqualTo(200);
    }

    @Test
    void aWakeThatNeverBecomesReadyIsAnswered503AfterTheWakeTimeout() {
        provisioned("stuck", new HibernationSpec(null, 3), Map.of("STAND_IN_READY", "false"));
        await().atMost(WAIT).until(() -> ws("stuck").getStatus() != null && ws("stuck").getStatus().getHibernation() != null);
        annotate("stuck", "now");
        awaitHibernated("stuck");

        long started = System.nanoTime();
        Reply reply = send("stuck");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.retryAfter()).isNotBlank();
        assertThat(reply.json().at("/error").asText()).contains("did not wake within spec.hibernation.wakeTimeoutSeconds (3 s)");
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        await().atMost(WAIT).until(() -> events("stuck").contains("WakeTimedOut"));
        awaitHibernated("stuck");
    }

    @Test
    void aManualHibernateIsRefusedWhileTasksAreActiveUnlessForced() {
        provisioned("working", null, Map.of("STAND_IN_ACTIVE_TASKS", "2"));
        awaitAwake("working");
        await().atMost(WAIT).until(() -> ws("working").getStatus().getRuntime() != null && ws("working").getStatus().getRuntime().activeTasks() == 2);

        annotate("working", "please");

        await().atMost(WAIT).until(() -> events("working").contains("HibernateRefused"));
        assertThat(eventMessages("working", "HibernateRefused")).singleElement().asString().contains("2 active task(s)");
        assertThat(ws("working").getStatus().getHibernation().request()).isEqualTo("please");
        assertThat(phase("working")).isEqualTo(WorkspacePhase.Online);
        assertThat(replicas("working")).isEqualTo(1);

        annotate("working", "force-please");

        awaitHibernated("working");
    }
}
