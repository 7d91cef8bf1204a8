package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.activity.ActivityLease;
import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.HibernationState;
import dev.tether.api.PodTemplate;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspacePhase;
import dev.tether.hibernation.HibernationRule;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.PrometheusText;
import dev.tether.testing.ReadySlices;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A call to a hibernated workspace, on one proxy with the real operator and no kubelet: the test plays the endpoint
 * controller (a ready EndpointSlice) and the woken runtime (a heartbeat). The call is held, asks for the wake through
 * the proxy's activity Lease, and goes on only once both have happened; a stream is opened at once, a card waits too,
 * and a held call is told when its workspace is deleted or its proxy stops.
 */
class ProxyWakeHoldOnMockApiTest {
    static final String ACTIVITY_NAMESPACE = "default";

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    TetherStack stack;
    DispatchProxy proxy;
    String token;
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();

    @BeforeEach
    void hibernatedWorkspace() throws Exception {
        stack = new TetherStack(kube.client(), kube.namespace());
        proxy = stack.startProxy();
        stack.agent.on("/", TestAgent.Exchange::echo);
        String card = """
                {"protocolVersion":"0.3.0","name":"sleeper","url":"%1$s/","preferredTransport":"JSONRPC",
                 "additionalInterfaces":[{"url":"%1$s/","transport":"JSONRPC"},{"url":"%1$s/api/rest/","transport":"HTTP+JSON"}]}"""
                .formatted(stack.agent.url(""));
        stack.agent.on("/.well-known/agent-card.json", x -> x.reply(200, "application/json", card));
        stack.agent.on("/api/rest/v1/message:send", x -> x.reply(200, "application/json", "{\"task\":{\"id\":\"t-1\"}}"));
        PodTemplate template = new PodTemplate(null, new ObjectMapper().readTree("{\"containers\": [{\"name\": \"agent\", \"image\": \"agent:1\"}]}"));
        token = stack.workspace("sleeper", spec -> {
            spec.setUrl(null);
            spec.setTemplate(template);
        });
        stack.workspaces.resource("sleeper").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + HibernationRule.ANNOTATION + "\":\"now\"}}}");
        await().atMost(TetherStack.WAIT).until(() -> proxyCache().getStatus() != null && proxyCache().getStatus().getPhase() == WorkspacePhase.Hibernated);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    Workspace proxyCache() {
        return proxy.directory().find(new WorkspaceId(kube.namespace(), "sleeper")).orElseThrow();
    }

    /** What the endpoint controller writes once the woken pod is ready: the test agent as its one ready endpoint. */
    void podReady() {
        ReadySlices.publish(kube.client(), kube.namespace(), "sleeper", URI.create(stack.agent.url("/")).getPort());
    }

    List<Lease> activityLeases() {
        return kube.client().leases().inNamespace(ACTIVITY_NAMESPACE).withLabel(ActivityLease.LABEL, ActivityLease.LABEL_VALUE).list().getItems();
    }

    double metric(String name, String... labels) {
        return PrometheusText.value(ProxyRig.call(http, new Request.Builder().url(proxy.baseUrl() + "/metrics").build()).body(), name, labels);
    }

    CompletableFuture<ProxyRig.Reply> sendLater() {
        return CompletableFuture.supplyAsync(() -> stack.dispatch(proxy, "sleeper"));
    }

    HibernationState state() {
        return stack.get("sleeper").getStatus().getHibernation().state();
    }

    @Test
    void aHeldCallGoesOnOnlyOnceTheWokenRuntimeIsReadyAndHasHeartbeated() {
        Instant asleep = stack.get("sleeper").getStatus().getHibernation().sinceTime();

        CompletableFuture<ProxyRig.Reply> call = sendLater();

        await().atMost(TetherStack.WAIT).untilAsserted(() -> assertThat(activityLeases()).singleElement().satisfies(lease -> {
            assertThat(lease.getMetadata().getAnnotations()).containsEntry(ActivityLease.WORKSPACE_ANNOTATION, kube.namespace() + "/sleeper");
            assertThat(lease.getSpec().getAcquireTime().toInstant()).as("acquired after it fell asleep: the wake request").isAfter(asleep);
        }));
        await().atMost(TetherStack.WAIT).until(() -> state() == HibernationState.Waking);
        assertThat(metric("tether_proxy_wake_held_calls")).isEqualTo(1);
        podReady();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !call.isDone());

        assertThat(stack.beat(token, "sleeper").status()).isEqualTo(200);

        ProxyRig.Reply reply = call.join();
        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.json().at("/result/echo/method").asText()).isEqualTo("message/send");
        assertThat(metric("tether_proxy_wake_held_calls")).isZero();
        assertThat(metric("tether_proxy_wakes_total", "workspace=\"" + kube.namespace() + "/sleeper\"")).isEqualTo(1);
        assertThat(metric("tether_proxy_cold_start_seconds_count")).isEqualTo(1);
        await().atMost(TetherStack.WAIT).until(() -> activityLeases().isEmpty());
    }

    @Test
    void theHoldCountsAgainstNeitherTheIdleWindowNorTheCeiling() {
        stack.workspaces.editSpec("sleeper", spec -> spec.setDispatch(new DispatchSpec(1, null, 1, null)));
        stack.awaitEnforced(proxy, "sleeper", 1, DispatchSource.Spec);

        CompletableFuture<ProxyRig.Reply> call = CompletableFuture.supplyAsync(() -> stack.dispatch(proxy, "sleeper",
                "X-Workspace-ID", kube.namespace() + "/sleeper", "Authorization", "Bearer " + token));
        await().atMost(TetherStack.WAIT).until(() -> state() == HibernationState.Waking);
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> !call.isDone());
        podReady();
        stack.beat(token, "sleeper");

        assertThat(call.join().code()).as("held 2.5 s past a 1 s idle window and a 1 s ceiling, then answered").isEqualTo(200);
    }

    @Test
    void aStreamHeldForAWakeIsOpenedAtOnceAndGetsTheAnswerAsAnEvent() throws Exception {
        Request stream = new Request.Builder().url(proxy.baseUrl() + "/workspaces/" + kube.namespace() + "/sleeper/a2a")
                .post(RequestBody.create(ProxyRig.MESSAGE.replace("message/send", "message/stream"), ProxyRig.JSON)).build();
        try (Response r = http.newCall(stream).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("text/event-stream");
            assertThat(state()).as("the stream opened while the workspace was still asleep").isNotEqualTo(HibernationState.Awake);
            podReady();
            await().atMost(TetherStack.WAIT).until(() -> state() == HibernationState.Waking);
            stack.beat(token, "sleeper");
            assertThat(r.body().string()).contains("data: ").contains("\"method\":\"message/stream\"");
        }
    }

    @Test
    void anAgentCardIsHeldLikeTheCallThatFollowsIt() {
        CompletableFuture<ProxyRig.Reply> card = CompletableFuture.supplyAsync(() -> ProxyRig.call(http, new Request.Builder()
                .url(proxy.baseUrl() + "/workspaces/" + kube.namespace() + "/sleeper/.well-known/agent-card.json").build()));

        await().atMost(TetherStack.WAIT).until(() -> state() == HibernationState.Waking);
        podReady();
        stack.beat(token, "sleeper");

        ProxyRig.Reply reply = card.join();
        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.json().path("name").asText()).isEqualTo("sleeper");
        assertThat(reply.json().path("url").asText()).as("rewritten to the proxy").startsWith(proxy.baseUrl());
    }

    @Test
    void anHttpJsonCallIsHeldAndWakesTheWorkspaceToo() {
        CompletableFuture<ProxyRig.Reply> call = CompletableFuture.supplyAsync(() -> ProxyRig.call(http, new Request.Builder()
                .url(proxy.baseUrl() + "/workspaces/" + kube.namespace() + "/sleeper/rest/v1/message:send")
                .post(RequestBody.create("{\"message\":{\"messageId\":\"m-1\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"hi\"}]}}",
                        ProxyRig.JSON)).build()));

        await().atMost(TetherStack.WAIT).until(() -> state() == HibernationState.Waking);
        podReady();
        stack.beat(token, "sleeper");

        ProxyRig.Reply reply = call.join();
        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.json().at("/task/id").asText()).isEqualTo("t-1");
    }

    @Test
    void aHeldCallIsToldWhenItsWorkspaceIsDeleted() {
        CompletableFuture<ProxyRig.Reply> call = sendLater();
        await().atMost(TetherStack.WAIT).until(() -> metric("tether_proxy_wake_held_calls") == 1);

        stack.workspaces.resource("sleeper").delete();

        ProxyRig.Reply reply = call.join();
        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.json().path("error").asText()).contains("was deleted while the call waited for it to wake");
    }

    @Test
    void aHeldCallIsToldToRetryWhenItsProxyStops() {
        CompletableFuture<ProxyRig.Reply> call = sendLater();
        await().atMost(TetherStack.WAIT).until(() -> metric("tether_proxy_wake_held_calls") == 1);

        stack.stopProxy(proxy);

        ProxyRig.Reply reply = call.join();
        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.header("Retry-After")).isEqualTo("1");
        assertThat(reply.json().path("reason").asText()).isEqualTo("stopping");
        assertThat(activityLeases()).as("a proxy that stops takes its Leases with it").isEmpty();
    }
}
