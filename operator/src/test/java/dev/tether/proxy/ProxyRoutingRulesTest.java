package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.a2a.AgentCardInterfaces;
import dev.tether.a2a.AgentCardRewriter;
import dev.tether.a2a.WorkspacePaths;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceStatus;
import dev.tether.http.HttpError;
import dev.tether.http.JsonResponses;
import dev.tether.proxy.cards.CardFetch;
import dev.tether.proxy.forwarding.Ceiling;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.WorkspaceDirectory;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy's pure rules: routes, ceilings, which headers cross, card rewriting, what counts as a heartbeat. */
class ProxyRoutingRulesTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /workspaces/team-a/researcher/a2a                          | team-a  | researcher | DISPATCH   |
            /workspaces/researcher/a2a                                 | default | researcher | DISPATCH   |
            /workspaces/team-a/researcher/.well-known/agent-card.json  | team-a  | researcher | AGENT_CARD | agent-card.json
            /workspaces/team-a/researcher/.well-known/agent.json       | team-a  | researcher | AGENT_CARD | agent.json
            /workspaces/researcher/.well-known/agent-card.json         | default | researcher | AGENT_CARD | agent-card.json
            /workspaces/team-a/researcher/                             | team-a  | researcher | BASE       | agent-card.json
            /workspaces/researcher/                                    | default | researcher | BASE       | agent-card.json
            /workspaces/team-a/a2a/                                    | team-a  | a2a        | BASE       | agent-card.json
            /workspaces/team-a/r.v2/a2a                                | team-a  | r.v2       | DISPATCH   |
            /workspaces/team-a/researcher/rest/v1/message:send         | team-a  | researcher | REST       |
            /workspaces/team-a/researcher/rest                         | team-a  | researcher | REST       |
            """)
    void routesNameTheWorkspaceAndWhatIsAsked(String path, String ns, String name, WorkspaceRoute.Target target, String file) {
        WorkspaceRoute route = WorkspaceRoute.parse(path, path, "default").orElseThrow();

        assertThat(route.workspace()).isEqualTo(new WorkspaceId(ns, name));
        assertThat(route.target()).isEqualTo(target);
        assertThat(route.cardFile()).isEqualTo(file);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /workspaces/a/b/rest/v1/message:send                     | /v1/message:send
            /workspaces/a/b/rest/v1/tasks/t%20one?historyLength=2    | /v1/tasks/t%20one?historyLength=2
            /workspaces/a/b/rest/v1/tasks/t/pushNotificationConfigs/ | /v1/tasks/t/pushNotificationConfigs/
            /workspaces/a/b/rest?x=/y                                | ?x=/y
            /workspaces/a/b/rest/                                    | /
            """)
    void restRoutesKeepWhatFollowsTheRestBaseAsSent(String raw, String route) {
        String decoded = raw.replace("%20", " ").replaceAll("\\?.*", "");

        assertThat(WorkspaceRoute.parse(decoded, raw, "default").orElseThrow().restRoute()).isEqualTo(route);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/workspaces/", "/workspaces/a", "/workspaces/a/b", "/workspaces/a/b/c/d/e", "/workspaces/Team/x/a2a",
            "/workspaces/a/b/.well-known/other.json", "/workspaces/a/b/c/a2a", "/other/a/b/a2a", "/workspaces/a_b/x/a2a",
            "/workspaces/b/rest/v1/card", "/workspaces/A/b/rest/v1/card"})
    void anythingElseIsNoRoute(String path) {
        assertThat(WorkspaceRoute.parse(path, path, "default")).isEmpty();
    }

    @Test
    void ceilingComesFromXTimeoutElseFromBeingAnAgentToAgentCall() {
        assertThat(Ceiling.resolve("7", null, 1800)).isEqualTo(new Ceiling(7, "X-Timeout"));
        assertThat(Ceiling.resolve(" 7 ", "team-a/caller", 1800).seconds()).isEqualTo(7);
        assertThat(Ceiling.resolve("0", "team-a/caller", 1800).seconds()).as("a caller cannot lift the admin's ceiling").isEqualTo(1800);
        assertThat(Ceiling.resolve("3600", "team-a/caller", 1800).seconds()).as("nor extend it").isEqualTo(1800);
        assertThat(Ceiling.resolve("0", null, 1800).exists()).as("a canvas call may ask for none").isFalse();
        assertThat(Ceiling.resolve(null, "team-a/caller", 1800).seconds()).isEqualTo(1800);
        assertThat(Ceiling.resolve(null, "  ", 1800).exists()).isFalse();
        assertThat(Ceiling.resolve(null, null, 1800).exists()).isFalse();
        assertThatThrownBy(() -> Ceiling.resolve("1e3", null, 1800)).isInstanceOf(HttpError.class).hasMessageContaining("'1e3'");
    }

    @Test
    void hopByHopHeadersAndProxyCredentialsStayWhileEndToEndOnesCross() {
        Set<String> named = HeaderPolicy.connectionTokens(List.of("keep-alive, X-Private", "Upgrade"));
        assertThat(named).containsExactlyInAnyOrder("keep-alive", "x-private", "upgrade");

        List<String> hopByHop = List.of("Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
                "Upgrade", "Content-Length", "X-Private");
        List<String> requestOnly = List.of("Host", "Accept-Encoding", "Expect", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded");
        List<String> endToEnd = List.of("A2A-Version", "X-Workspace-ID", "Accept", "User-Agent", "traceparent", "Authorization");
        for (boolean towardAgent : new boolean[] {true, false}) {
            HttpHeaders headers = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Private").add("Connection", "Upgrade");
            hopByHop.forEach(name -> headers.add(name, "v"));
            requestOnly.forEach(name -> headers.add(name, "v"));
            endToEnd.forEach(name -> headers.add(name, "v"));
            if (towardAgent) {
                HeaderPolicy.towardAgent(headers);
            } else {
                HeaderPolicy.towardCaller(headers);
            }
            assertThat(headers.names()).as(towardAgent ? "toward the agent" : "toward the caller")
                    .doesNotContainAnyElementsOf(hopByHop).doesNotContain("Connection").containsAll(endToEnd);
            if (towardAgent) {
                assertThat(headers.names()).doesNotContainAnyElementsOf(requestOnly);
            } else {
                assertThat(headers.names()).contains("Host", "Accept-Encoding");
            }
        }
    }

    @Test
    void cardRewritingPointsEachInterfaceAtTheProxyEndpointOfItsTransportAndLeavesTheInputAlone() throws Exception {
        ObjectNode card = (ObjectNode) JsonResponses.MAPPER.readTree("""
                {"url":"http://agent/a2a","preferredTransport":"HTTP+JSON","iconUrl":"http://agent/i.png",
                 "additionalInterfaces":[{"url":"http://agent/a2a","transport":"JSONRPC"},{"url":"http://agent/rest","transport":"http+json"},
                   {"url":"agent:50051","transport":"GRPC"},{"url":"http://agent/x"}],
                 "supportedInterfaces":[{"url":"http://agent/a2a","protocolBinding":"JSONRPC"},{"url":"http://agent/v1","protocolBinding":"HTTP+JSON"},
                   {"url":"agent:50051","protocolBinding":"GRPC"}],"skills":[{"url":"keep"}]}""");

        ObjectNode rewritten = AgentCardRewriter.rewrite(card, WorkspacePaths.endpoints("http://proxy", new WorkspaceId("a", "b")));

        assertThat(rewritten.get("url").asText()).as("preferred HTTP+JSON").isEqualTo("http://proxy/workspaces/a/b/rest");
        assertThat(rewritten.get("additionalInterfaces")).map(i -> i.get("url").asText())
                .as("gRPC left out, an entry without transport is JSON-RPC")
                .containsExactly("http://proxy/workspaces/a/b/a2a", "http://proxy/workspaces/a/b/rest", "http://proxy/workspaces/a/b/a2a");
        assertThat(rewritten.get("supportedInterfaces")).map(i -> i.get("url").asText())
                .containsExactly("http://proxy/workspaces/a/b/a2a", "http://proxy/workspaces/a/b/rest");
        assertThat(rewritten.get("iconUrl").asText()).isEqualTo("http://agent/i.png");
        assertThat(rewritten.at("/skills/0/url").asText()).isEqualTo("keep");
        assertThat(card.get("url").asText()).isEqualTo("http://agent/a2a");
        assertThat(card.get("additionalInterfaces")).hasSize(4);
    }

    @Test
    void aCardThatPrefersATransportTheProxyCannotServePrefersJsonRpcWhenServed() throws Exception {
        ObjectNode card = (ObjectNode) JsonResponses.MAPPER.readTree("""
                {"url":"agent:50051","preferredTransport":"GRPC","additionalInterfaces":[{"url":"agent:50051","transport":"GRPC"}]}""");

        ObjectNode rewritten = AgentCardRewriter.rewrite(card, WorkspacePaths.endpoints("https://p", new WorkspaceId("a", "b")));

        assertThat(rewritten.get("preferredTransport").asText()).isEqualTo("JSONRPC");
        assertThat(rewritten.get("url").asText()).isEqualTo("https://p/workspaces/a/b/a2a");
        assertThat(rewritten.get("additionalInterfaces")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            preferred             | {"url":"http://a/r","preferredTransport":"REST"}                                         | http://a/r
            0.3 additional        | {"url":"http://a/j","additionalInterfaces":[{"url":"http://a/r","transport":"HTTP+JSON"}]} | http://a/r
            1.0 supported         | {"supportedInterfaces":[{"url":"http://a/j","protocolBinding":"JSONRPC"},{"url":"http://a/v","protocolBinding":"HTTP+JSON"}]} | http://a/v
            none                  | {"url":"http://a/j","additionalInterfaces":[{"url":"g:1","transport":"GRPC"}]}           |
            """)
    void theRestBaseIsTheCardsHttpJsonInterface(String shape, String card, String url) throws Exception {
        assertThat(AgentCardInterfaces.url(JsonResponses.MAPPER.readTree(card), "HTTP+JSON").orElse(null)).as(shape).isEqualTo(url);
    }

    @Test
    void cardIsLookedForAtTheOriginThenBelowTheAgentPathThenUnderTheOtherName() {
        assertThat(CardFetch.locations(Upstream.parse("http://agent:8000/a2a?x=1", false).orElseThrow(), "agent-card.json"))
                .map(Upstream::redacted)
                .containsExactly("http://agent:8000/.well-known/agent-card.json", "http://agent:8000/a2a/.well-known/agent-card.json",
                        "http://agent:8000/.well-known/agent.json");
        assertThat(CardFetch.locations(Upstream.parse("http://agent/", false).orElseThrow(), "agent.json")).map(Upstream::redacted)
                .containsExactly("http://agent/.well-known/agent.json", "http://agent/.well-known/agent-card.json");
    }

    @Test
    void onlyAnAdvancingHeartbeatOfAHealthyRuntimeIsProgress() {
        WorkspaceStatus before = status("2026-11-24T05:00:00Z", "");
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T05:00:30Z", ""))).isTrue();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(null, status("2026-11-24T05:00:30Z", null))).isTrue();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T05:00:30Z", "wedged"))).isFalse();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T05:00:00Z", ""))).isFalse();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T04:59:00Z", ""))).isFalse();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status(null, ""))).isFalse();
    }

    @Test
    void aHeartbeatOfAnIdleRuntimeIsNoProgress() {
        WorkspaceStatus before = status("2026-11-24T05:00:00Z", "");
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T05:00:30Z", "", 0))).isFalse();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T05:00:30Z", "", null))).isFalse();
        assertThat(WorkspaceDirectory.healthyHeartbeatObserved(before, status("2026-11-24T05:00:30Z", "", 2))).isTrue();
    }

    private static WorkspaceStatus status(String heartbeat, String state) {
        return status(heartbeat, state, 1);
    }

    private static WorkspaceStatus status(String heartbeat, String state, Integer activeTasks) {
        WorkspaceStatus s = new WorkspaceStatus();
        s.setLastHeartbeatTime(heartbeat);
        s.setRuntime(new RuntimeStatus(null, null, state, activeTasks, null, null, null, null, null, null));
        return s;
    }
}
