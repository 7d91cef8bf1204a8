package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a stock A2A client relies on: a card that points back at the proxy, and headers that cross it as they should. */
class ProxyDiscoveryAndHeadersTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;
    String agent;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder());
        agent = rig.agent.url("");
        rig.workspace("researcher", "/a2a");
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void a2a10CardIsServedWithEveryInterfacePointingAtTheProxy() {
        String card = """
                {"name":"researcher","version":"1.0.0","iconUrl":"%1$s/icon.png",
                 "supportedInterfaces":[{"url":"%1$s/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"},
                                        {"url":"%1$s/v1","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"}],
                 "capabilities":{"streaming":true}}""".formatted(agent);
        rig.agent.on("/.well-known/agent-card.json", x -> x.header("Vary", "A2A-Version").header("A2A-Version", "1.0")
                .reply(200, "application/json", card));

        ProxyRig.Reply reply = rig.get("/workspaces/team-a/researcher/.well-known/agent-card.json", "A2A-Version", "1.0");

        assertThat(reply.code()).isEqualTo(200);
        String proxied = rig.proxy.baseUrl() + "/workspaces/team-a/researcher";
        JsonNode served = reply.json();
        assertThat(served.get("supportedInterfaces")).map(i -> i.get("protocolBinding").asText() + " " + i.get("url").asText())
                .containsExactly("JSONRPC " + proxied + "/a2a", "HTTP+JSON " + proxied + "/rest");
        assertThat(served.get("iconUrl").asText()).isEqualTo(agent + "/icon.png");
        assertThat(served.has("url")).isFalse();
        assertThat(reply.header("Vary")).contains("A2A-Version");
        assertThat(reply.header("A2A-Version")).isEqualTo("1.0");
        assertThat(rig.agent.last().header("A2A-Version")).isEqualTo("1.0");
    }

    String a2a03Card() {
        return """
                {"protocolVersion":"0.3.0","name":"researcher","url":"%1$s/a2a","preferredTransport":"JSONRPC",
                 "additionalInterfaces":[{"url":"%1$s/a2a","transport":"JSONRPC"},{"url":"%1$s/rest","transport":"HTTP+JSON"}],
                 "provider":{"organization":"Team A","url":"https://team-a.example"}}""".formatted(agent);
    }

    @Test
    void a2a03CardIsFoundFromTheBaseUrlAndRewrittenToTheAddressTheCallerUsed() {
        String card = a2a03Card();
        rig.agent.on("/.well-known/agent.json", x -> x.reply(200, "application/json", card)); // an older agent: no agent-card.json

        for (String path : new String[] {"/workspaces/team-a/researcher/", "/workspaces/researcher/.well-known/agent.json",
                "/workspaces/team-a/researcher/.well-known/agent-card.json"}) {
            // Not configured to trust them, the proxy ignores forwarding headers: a caller cannot choose what a card says.
            ProxyRig.Reply reply = rig.get(path, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example.com");

            assertThat(reply.code()).as(path).isEqualTo(200);
            String proxied = rig.proxy.baseUrl() + "/workspaces/team-a/researcher";
            JsonNode served = reply.json();
            assertThat(served.get("url").asText()).as(path).isEqualTo(proxied + "/a2a");
            assertThat(served.get("additionalInterfaces")).as(path).map(i -> i.get("url").asText())
                    .containsExactly(proxied + "/a2a", proxied + "/rest");
            assertThat(served.at("/provider/url").asText()).isEqualTo("https://team-a.example");
            assertThat(reply.header("Vary")).isEqualTo("A2A-Version");
        }
    }

    @Test
    void behindAConfiguredIngressTheCardNamesItsPublicAddress() {
        rig.close();
        rig = new ProxyRig(kube.client(), ProxySettings.builder().trustForwardedHeaders(true));
        agent = rig.agent.url("");
        rig.workspace("published", "/a2a");
        String card = a2a03Card();
        rig.agent.on("/.well-known/agent-card.json", x -> x.reply(200, "application/json", card));

        ProxyRig.Reply reply = rig.get("/workspaces/team-a/published/", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "agents.example.com");

        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.json().get("url").asText()).isEqualTo("https://agents.example.com/workspaces/team-a/published/a2a");
    }

    @Test
    void agentWithoutACardAnswers404ThroughTheProxy() {
        ProxyRig.Reply reply = rig.get("/workspaces/team-a/researcher/.well-known/agent-card.json");

        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.json().get("error").asText()).contains("test agent has nothing");
    }

    @Test
    void a2aVersionPassesUntouchedBothWaysAndTheBaseUrlTakesDispatches() {
        rig.agent.on("/a2a", x -> x.header("A2A-Version", "1.0").echo());

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/researcher/", MESSAGE, "A2A-Version", "1.0");

        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.header("A2A-Version")).isEqualTo("1.0");
        assertThat(rig.agent.last().header("A2A-Version")).isEqualTo("1.0");
    }

    @Test
    void hopByHopHeadersAndTheCallersCredentialsStayAtTheProxy() {
        rig.workspace("planner", null);
        rig.token("planner", "caller-secret-token"); // a sibling whose token the proxy verifies, then keeps to itself
        rig.agent.on("/a2a", x -> x.header("X-Agent-Trace", "a-1").header("Keep-Alive", "timeout=9")
                .header("Proxy-Authenticate", "Basic realm=agent").header("Connection", "X-Agent-Hop").header("X-Agent-Hop", "1")
                .echo());

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/researcher/a2a", MESSAGE,
                "Authorization", "Bearer caller-secret-token",
                "Keep-Alive", "timeout=5",
                "TE", "trailers",
                "Connection", "X-Hop-Only",
                "X-Hop-Only", "1",
                "X-Trace-Id", "t-1",
                "X-Workspace-ID", "team-a/planner");

        assertThat(reply.code()).isEqualTo(200);
        TestAgent.Received sent = rig.agent.last();
        assertThat(sent.headers()).containsKeys("x-trace-id", "x-workspace-id")
                .doesNotContainKeys("authorization", "proxy-authorization", "keep-alive", "te", "x-hop-only");
        assertThat(sent.header("Host")).isEqualTo(agent.substring("http://".length()));
        assertThat(reply.header("X-Agent-Trace")).isEqualTo("a-1");
        assertThat(reply.headers().names()).doesNotContain("Keep-Alive", "Proxy-Authenticate", "X-Agent-Hop");
    }

    @Test
    void withTethersTokenInProxyAuthorizationTheCallersAuthorizationReachesTheAgent() {
        rig.workspace("planner", null);
        rig.token("planner", "caller-secret-token");
        rig.agent.on("/a2a", TestAgent.Exchange::echo);

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/researcher/a2a", MESSAGE,
                "Proxy-Authorization", "Bearer caller-secret-token",
                "Authorization", "Bearer for-the-agent",
                "X-Workspace-ID", "team-a/planner");

        assertThat(reply.code()).isEqualTo(200);
        TestAgent.Received sent = rig.agent.last();
        assertThat(sent.header("Authorization")).isEqualTo("Bearer for-the-agent");
        assertThat(sent.headers()).doesNotContainKey("proxy-authorization");
    }
}
