package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.MockKubeApi;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ceilings, caps and the answer a caller gets for each thing that can be wrong. */
class ProxyLimitsTest {
    static final String PATH = "/workspaces/team-a/agent/a2a";
    static final String PLANNER_TOKEN = "planner-token";
    /** The 1 s ceilings below fire by 1 s + {@link ProxyRig#LATE}; the agent answers no sooner, and the idle window (10 s) is later still. */
    static final Duration AGENT_SILENCE = Duration.ofSeconds(1).plus(ProxyRig.LATE);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().defaultIdleTimeout(Duration.ofSeconds(10)));
        rig.workspace("agent", "/a2a");
        rig.workspace("planner", null);
        rig.token("planner", PLANNER_TOKEN);
        rig.agent.on("/a2a", rig.agent.answerAfter(AGENT_SILENCE));
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void xTimeoutIsAnAbsoluteDeadlineAnsweredWith504() {
        ProxyRig.Reply reply = rig.post(PATH, MESSAGE, "X-Timeout", "1");

        assertThat(reply.code()).isEqualTo(504);
        assertThat(reply.json().get("error").asText()).contains("ceiling of 1 s", "X-Timeout", "team-a/agent");
        assertThat(reply.json().get("ceiling_seconds").asInt()).isEqualTo(1);
        ProxyRig.assertFiredAt(reply.elapsed(), Duration.ofSeconds(1));
    }

    @Test
    void agentToAgentCallsHitTheWorkspaceCeilingAndCanvasCallsDoNot() {
        rig.patchStatus("agent", "{\"dispatch\": {\"idleTimeoutSeconds\": 10, \"source\": \"Default\", \"maxDurationSeconds\": 1}}");

        ProxyRig.Reply fromAgent = rig.post(PATH, MESSAGE, ProxyRig.from("team-a/planner", PLANNER_TOKEN));
        assertThat(fromAgent.code()).isEqualTo(504);
        assertThat(fromAgent.json().get("error").asText()).contains("maxDurationSeconds");
        ProxyRig.assertFiredAt(fromAgent.elapsed(), Duration.ofSeconds(1));

        ProxyRig.Reply fromCanvas = rig.post(PATH, MESSAGE);
        assertThat(fromCanvas.code()).isEqualTo(200);
        assertThat(fromCanvas.elapsed()).isGreaterThanOrEqualTo(AGENT_SILENCE.minus(ProxyRig.EARLY));
    }

    @Test
    void xTimeoutCannotLiftTheAgentToAgentCeiling() {
        rig.patchStatus("agent", "{\"dispatch\": {\"idleTimeoutSeconds\": 10, \"source\": \"Default\", \"maxDurationSeconds\": 1}}");

        ProxyRig.Reply reply = rig.post(PATH, MESSAGE, ProxyRig.from("team-a/planner", PLANNER_TOKEN, "X-Timeout", "0"));

        assertThat(reply.code()).isEqualTo(504);
        assertThat(reply.json().get("error").asText()).contains("maxDurationSeconds");
    }

    @Test
    void xTimeoutZeroLiftsTheCeilingOfACanvasCall() {
        ProxyRig.Reply reply = rig.post(PATH, MESSAGE, "X-Timeout", "0");

        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.elapsed()).isGreaterThanOrEqualTo(AGENT_SILENCE.minus(ProxyRig.EARLY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-1", "1.5", "90000", ""})
    void unreadableXTimeoutIs400AndNeverReachesTheAgent(String value) {
        ProxyRig.Reply reply = rig.post(PATH, MESSAGE, "X-Timeout", value);

        assertThat(reply.code()).isEqualTo(400);
        assertThat(reply.json().get("error").asText()).contains("X-Timeout", "'" + value + "'");
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void requestOverOneMebibyteIs413() {
        String big = "{\"method\":\"message/send\",\"params\":{\"pad\":\"" + "x".repeat(ProxySettings.MIB) + "\"}}";

        ProxyRig.Reply reply = rig.post(PATH, big);

        assertThat(reply.code()).isEqualTo(413);
        assertThat(reply.json().get("error").asText()).contains(Integer.toString(ProxySettings.MIB));
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void agentAnswerOverTenMebibytesIs502NotATruncatedBody() {
        String huge = "{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"result\":\"" + "x".repeat(10 * ProxySettings.MIB) + "\"}";
        rig.agent.on("/a2a", x -> x.reply(200, "application/json", huge));

        ProxyRig.Reply reply = rig.post(PATH, MESSAGE);

        assertThat(reply.code()).isEqualTo(502);
        assertThat(reply.json().get("error").asText()).contains("exceeds", Integer.toString(10 * ProxySettings.MIB), "no truncation");
        assertThat(reply.json().get("workspace").asText()).isEqualTo("team-a/agent");
    }

    @Test
    void unknownWorkspaceIs404() {
        ProxyRig.Reply reply = rig.post("/workspaces/team-a/nobody/a2a", MESSAGE);

        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.json().get("error").asText()).contains("no workspace team-a/nobody");
    }

    @Test
    void workspaceWithoutUrlIs503AndARegisteredLoopbackUrlIsRefusedUnlessItsNetworkIsAllowed() {
        rig.agent.on("/a2a", TestAgent.Exchange::echo);
        rig.workspace("unplugged", null);

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/unplugged/a2a", MESSAGE);
        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.json().get("error").asText()).contains("team-a/unplugged", "no URL", "spec.url");

        rig.patchStatus("unplugged", "{\"registration\": {\"url\": \"" + rig.agent.url("/a2a") + "\"}}");
        ProxyRig.Reply refused = rig.post("/workspaces/team-a/unplugged/a2a", MESSAGE);
        assertThat(refused.code()).as("a registered URL on loopback is refused when the proxy connects").isEqualTo(502);
        assertThat(refused.json().get("error").asText()).contains("team-a/unplugged", "registered", "loopback", "spec.url")
                .doesNotContain("127.0.0.1");
        rig.patchStatus("unplugged", "{\"registration\": {\"url\": \"" + rig.agent.url("/a2a").replace("127.0.0.1", "localhost") + "\"}}");
        assertThat(rig.post("/workspaces/team-a/unplugged/a2a", MESSAGE).json().get("error").asText())
                .as("a name is judged by where it resolves when the proxy connects").contains("loopback");
        assertThat(rig.agent.receivedCount()).isZero();

        try (ProxyRig local = new ProxyRig(rig.kube, ProxySettings.builder().allowedRegisteredNetworks(List.of("127.0.0.0/8")))) {
            local.agent.on("/a2a", TestAgent.Exchange::echo);
            local.patchStatus("unplugged", "{\"registration\": {\"url\": \"" + local.agent.url("/a2a") + "\"}}");
            assertThat(local.post("/workspaces/team-a/unplugged/a2a", MESSAGE).code()).as("allowed by --allow-registered-networks")
                    .isEqualTo(200);
        }
        rig.workspace("admin-set", "/a2a");
        assertThat(rig.post("/workspaces/team-a/admin-set/a2a", MESSAGE).code()).as("spec.url is not judged").isEqualTo(200);
    }

    @Test
    void aWorkspaceWhoseUrlLeadsBackToTheProxyIs508InsteadOfGoingRound() {
        rig.agent.on("/a2a", TestAgent.Exchange::echo);
        rig.workspace("direct", "/a2a");
        assertThat(rig.post("/workspaces/team-a/direct/a2a", MESSAGE).code()).isEqualTo(200);
        assertThat(rig.agent.last().header("Via")).as("the proxy names itself to the agent").isEqualTo("1.1 tether");
        rig.workspaceIn(ProxyRig.NS, "loop", rig.proxy.baseUrl() + "/workspaces/team-a/loop/");

        ProxyRig.Reply dispatch = rig.post("/workspaces/team-a/loop/a2a", MESSAGE);
        ProxyRig.Reply card = rig.get("/workspaces/team-a/loop/.well-known/agent-card.json");

        for (ProxyRig.Reply reply : List.of(dispatch, card)) {
            assertThat(reply.code()).isEqualTo(508);
            assertThat(reply.body()).contains("team-a/loop", "leads back to the proxy");
        }
        assertThat(rig.agent.receivedCount()).isEqualTo(1);
    }

    @Test
    void unreachableAgentIs502NamingTheWorkspaceButNoInternals() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        rig.workspaceIn(ProxyRig.NS, "gone", "http://127.0.0.1:" + closedPort + "/a2a");

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/gone/a2a", MESSAGE);

        assertThat(reply.code()).isEqualTo(502);
        assertThat(reply.json().get("error").asText()).contains("cannot reach", "team-a/gone")
                .as("the agent's address and the exception stay in the proxy's log").doesNotContain(String.valueOf(closedPort), "Exception");
        assertThat(reply.json().get("workspace").asText()).isEqualTo("team-a/gone");
    }

    @Test
    void exhaustedMonthlyBudgetIs402() {
        rig.kube.resources(dev.tether.api.Workspace.class).inNamespace(ProxyRig.NS).withName("agent")
                .edit(ws -> {
                    ws.getSpec().setBudgetLimitCents(5000L);
                    return ws;
                });
        rig.patchStatus("agent", "{\"runtime\": {\"monthlySpendCents\": 5000}}");

        ProxyRig.Reply reply = rig.post(PATH, MESSAGE);

        assertThat(reply.code()).isEqualTo(402);
        assertThat(reply.json().get("error").asText()).contains("budget", "team-a/agent");
        assertThat(reply.json().get("budget_limit_cents").asLong()).isEqualTo(5000);
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void agentErrorsPassThroughUntouched() {
        rig.agent.on("/a2a", x -> x.reply(500, "text/plain", "boom: model overloaded"));
        ProxyRig.Reply plain = rig.post(PATH, MESSAGE);
        assertThat(plain.code()).isEqualTo(500);
        assertThat(plain.header("Content-Type")).startsWith("text/plain");
        assertThat(plain.body()).as("the agent's own answer, as a direct call would get it").isEqualTo("boom: model overloaded");

        String agentJson = "{\"detail\":\"unprocessable\",\"field\":\"params\"}";
        rig.agent.on("/a2a", x -> x.reply(422, "application/json", agentJson));
        ProxyRig.Reply json = rig.post(PATH, MESSAGE);
        assertThat(json.code()).isEqualTo(422);
        assertThat(json.body()).isEqualTo(agentJson);
    }

    @Test
    void bareMethodAndParamsAreWrappedInAnEnvelopeWithIds() {
        rig.agent.on("/a2a", TestAgent.Exchange::echo);

        ProxyRig.Reply reply = rig.post(PATH, "{\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\",\"parts\":[]}}}");

        assertThat(reply.code()).isEqualTo(200);
        var sent = rig.agent.last().json();
        assertThat(sent.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(sent.get("id").asText()).hasSize(36);
        assertThat(sent.get("method").asText()).isEqualTo("message/send");
        assertThat(sent.at("/params/message/messageId").asText()).hasSize(36);
    }

    @Test
    void bareNameResolvesInTheDefaultNamespaceAndOtherMethodsAre405() {
        rig.agent.on("/a2a", TestAgent.Exchange::echo);

        assertThat(rig.post("/workspaces/agent/a2a", MESSAGE).code()).isEqualTo(200);
        ProxyRig.Reply get = rig.get("/workspaces/team-a/agent/a2a");
        assertThat(get.code()).isEqualTo(405);
        assertThat(get.header("Allow")).isEqualTo("POST");
        assertThat(rig.get("/workspaces/team-a/agent/elsewhere").code()).isEqualTo(404);
    }
}
