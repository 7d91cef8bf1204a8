package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.api.Workspace;
import dev.tether.testing.MockKubeApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import okhttp3.Headers;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP+JSON transport through the proxy: {@code /workspaces/{ns}/{name}/rest/{route}} reaches the same route
 * below the REST base the agent's card names, as sent, under the same admission and limits as JSON-RPC.
 */
class ProxyRestTransportTest {
    static final String REST = "/workspaces/team-a/researcher/rest";
    static final String SEND = """
            {"message":{"messageId":"m-1","role":"ROLE_USER","content":[{"text":"héllo"}]}}""";

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().sseKeepalive(Duration.ofMillis(200))
                .allowedRegisteredNetworks(List.of("127.0.0.0/8")));
        rig.workspace("researcher", "/a2a");
        String card = """
                {"protocolVersion":"0.3.0","name":"researcher","url":"%1$s/a2a","preferredTransport":"JSONRPC",
                 "additionalInterfaces":[{"url":"%1$s/a2a","transport":"JSONRPC"},{"url":"%1$s/api/rest/","transport":"HTTP+JSON"}]}"""
                .formatted(rig.agent.url(""));
        rig.agent.on("/.well-known/agent-card.json", x -> x.reply(200, "application/json", card));
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void everyRestRouteReachesTheSameRouteBelowTheAgentsRestBaseAsSent() {
        rig.agent.on("/api/rest/v1/message:send", x -> x.header("X-Agent", "yes").reply(200, "application/json", "{\"task\":{\"id\":\"t-1\"}}"));
        rig.agent.on("/api/rest/v1/tasks/t%201", x -> x.reply(200, "application/json", "{\"id\":\"t 1\"}"));
        rig.agent.on("/api/rest/v1/tasks/t-1/pushNotificationConfigs/c-1", x -> x.reply(204, "application/json", ""));

        ProxyRig.Reply sent = rig.call(new Request.Builder().url(rig.proxy.baseUrl() + REST + "/v1/message:send")
                .post(RequestBody.create(SEND.getBytes(StandardCharsets.UTF_8), null))
                .header("Content-Type", "application/json; charset=utf-8").header("A2A-Version", "0.3").build());
        ProxyRig.Reply got = rig.get(REST + "/v1/tasks/t%201?historyLength=2");
        ProxyRig.Reply deleted = rig.call(new Request.Builder().url(rig.proxy.baseUrl() + REST + "/v1/tasks/t-1/pushNotificationConfigs/c-1")
                .delete().build());

        assertThat(sent.code()).isEqualTo(200);
        assertThat(sent.body()).isEqualTo("{\"task\":{\"id\":\"t-1\"}}");
        assertThat(sent.header("X-Agent")).isEqualTo("yes");
        List<TestAgent.Received> calls = rig.agent.received().stream().filter(r -> r.path().startsWith("/api/rest/")).toList();
        assertThat(calls).map(r -> r.method() + " " + r.path() + (r.query() == null ? "" : "?" + r.query())).containsExactly(
                "POST /api/rest/v1/message:send", "GET /api/rest/v1/tasks/t%201?historyLength=2",
                "DELETE /api/rest/v1/tasks/t-1/pushNotificationConfigs/c-1");
        assertThat(calls.get(0).body()).as("byte for byte").isEqualTo(SEND);
        assertThat(calls.get(0).header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(calls.get(0).header("A2A-Version")).isEqualTo("0.3");
        assertThat(got.code()).isEqualTo(200);
        assertThat(got.json().get("id").asText()).isEqualTo("t 1");
        assertThat(deleted.code()).isEqualTo(204);
    }

    @Test
    void theAgentCardIsReadOnceNotOnEveryCall() {
        rig.agent.on("/api/rest/v1/tasks/t-1", x -> x.reply(200, "application/json", "{}"));

        for (int i = 0; i < 5; i++) {
            assertThat(rig.get(REST + "/v1/tasks/t-1").code()).isEqualTo(200);
        }

        assertThat(rig.agent.received()).filteredOn(r -> r.path().contains(".well-known")).hasSize(1);
    }

    @Test
    void theCardTheRuntimeRegisteredNamesTheRestBaseWithoutAFetch() {
        rig.workspaceIn(ProxyRig.NS, "registered", null);
        String registered = rig.agent.url("/a2a");
        rig.patchStatus("registered", """
                {"registration": {"url": "%1$s", "agentCard": {"name": "registered", "url": "%1$s",
                  "additionalInterfaces": [{"url": "%2$s", "transport": "HTTP+JSON"}]}}}""".formatted(registered, rig.agent.url("/v2")));
        rig.agent.on("/v2/v1/tasks/t-1", x -> x.reply(200, "application/json", "{\"via\":\"registered card\"}"));

        ProxyRig.Reply reply = rig.get("/workspaces/team-a/registered/rest/v1/tasks/t-1");

        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.json().get("via").asText()).isEqualTo("registered card");
        assertThat(rig.agent.received()).noneMatch(r -> r.path().contains(".well-known"));
    }

    @Test
    void anAgentWhoseCardListsNoHttpJsonInterfaceIs404NamingJsonRpc() {
        rig.agent.on("/.well-known/agent-card.json", x -> x.reply(200, "application/json",
                "{\"name\":\"researcher\",\"url\":\"" + rig.agent.url("/a2a") + "\"}"));

        ProxyRig.Reply reply = rig.post(REST + "/v1/message:send", SEND);

        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.json().get("error").asText()).contains("team-a/researcher", "HTTP+JSON", "JSON-RPC");
        assertThat(rig.agent.received()).noneMatch(r -> r.path().contains("message"));
    }

    @Test
    void restCallsPassTheSameAdmissionAsJsonRpc() {
        rig.kube.resources(Workspace.class).inNamespace(ProxyRig.NS).withName("researcher").edit(ws -> {
            ws.getSpec().setBudgetLimitCents(100L);
            return ws;
        });
        rig.patchStatus("researcher", "{\"runtime\": {\"monthlySpendCents\": 100}}");

        ProxyRig.Reply spent = rig.post(REST + "/v1/message:send", SEND);
        ProxyRig.Reply unknown = rig.post("/workspaces/team-a/nobody/rest/v1/message:send", SEND);
        ProxyRig.Reply forged = rig.post(REST + "/v1/message:send", SEND, ProxyRig.from("team-a/other", "wrong-token"));

        assertThat(spent.code()).isEqualTo(402);
        assertThat(unknown.code()).isEqualTo(404);
        assertThat(forged.code()).isEqualTo(401);
        assertThat(rig.agent.receivedCount()).as("nothing reached the agent, not even a card fetch").isZero();
    }

    @Test
    void aStalledRestStreamEndsWithARestErrorEventNamingTheIdleTimeout() {
        rig.dispatchPolicy("researcher", 2, "Runtime");
        rig.agent.on("/api/rest/v1/message:stream", rig.agent.streamThenStall(1, Duration.ZERO));

        ProxyRig.Stream stream = rig.stream(REST + "/v1/message:stream", SEND, "Accept", "text/event-stream");

        assertThat(stream.code()).isEqualTo(200);
        assertThat(stream.keepalives()).isNotEmpty();
        List<String> texts = stream.lines().stream().map(ProxyRig.Line::text).filter(t -> !t.isEmpty() && !t.startsWith(":")).toList();
        assertThat(texts).hasSize(3);
        assertThat(texts.get(1)).isEqualTo("event: error");
        JsonNode error = stream.json(stream.data().get(1));
        assertThat(error.has("jsonrpc")).as("the REST shape, not JSON-RPC's").isFalse();
        assertThat(error.get("code").asInt()).isEqualTo(-32000);
        assertThat(error.get("message").asText()).contains("idle timeout", "team-a/researcher");
        assertThat(error.at("/data/idle_timeout_seconds").asInt()).isEqualTo(2);
    }

    @Test
    void theExtendedCardIsRewrittenToTheProxyOnBothTransportsAndTheCallersCredentialsReachTheAgent() {
        String extended = """
                {"name":"researcher","url":"%1$s/a2a","preferredTransport":"JSONRPC","description":"for members",
                 "additionalInterfaces":[{"url":"%1$s/api/rest","transport":"HTTP+JSON"},{"url":"grpc://x:1","transport":"GRPC"}]}"""
                .formatted(rig.agent.url(""));
        rig.agent.on("/a2a", x -> x.reply(200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + extended + "}"));
        rig.agent.on("/api/rest/v1/card", x -> x.reply(200, "application/json", extended));
        String base = rig.proxy.baseUrl() + "/workspaces/team-a/researcher";

        ProxyRig.Reply rpc = rig.post("/workspaces/team-a/researcher/a2a",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"agent/getAuthenticatedExtendedCard\"}", "Authorization", "Bearer user-jwt");
        ProxyRig.Reply rest = rig.call(new Request.Builder().url(base + "/rest/v1/card")
                .headers(Headers.of("Authorization", "Bearer user-jwt")).build());

        for (JsonNode card : List.of(rpc.json().get("result"), rest.json())) {
            assertThat(card.get("url").asText()).isEqualTo(base + "/a2a");
            assertThat(card.get("additionalInterfaces")).map(i -> i.get("url").asText()).containsExactly(base + "/rest");
            assertThat(card.get("description").asText()).isEqualTo("for members");
        }
        assertThat(rpc.json().get("id").asInt()).isEqualTo(7);
        assertThat(rig.agent.received()).filteredOn(r -> !r.path().contains(".well-known"))
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer user-jwt"));
    }

    @Test
    void methodsOutsideRestAreRefusedAtTheProxy() {
        ProxyRig.Reply reply = rig.call(new Request.Builder().url(rig.proxy.baseUrl() + REST + "/v1/card")
                .method("OPTIONS", null).build());

        assertThat(reply.code()).isEqualTo(405);
        assertThat(reply.header("Allow")).contains("GET", "POST", "DELETE");
        assertThat(rig.agent.receivedCount()).isZero();
    }
}
