package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.embedded.MergePatchConformingDispatcher;
import dev.tether.testing.EmbeddedCluster;
import dev.tether.testing.NodeA2a;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy is transparent to a stock A2A client: the official SDK client ({@code client.mjs}) runs every scenario
 * against the official SDK agent ({@code agent.mjs}) once directly and once through the proxy, over JSON-RPC and
 * HTTP+JSON, and the normalised outcomes are equal but for the documented differences: served cards name the proxy's
 * endpoint of each transport and leave gRPC out. The JSON-RPC run is a canvas call (the caller's {@code Authorization}
 * reaches the agent); the HTTP+JSON run is an agent-to-agent call whose Tether token rides in
 * {@code Proxy-Authorization}, so its {@code Authorization} is the agent's too. The agent closes idle connections
 * after 5 s, as Node and uvicorn do; calls 6, 7 and 8 s apart and after the agent restarts must not see a 502.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyA2aConformanceTest {
    private static final String SECRET = "conformance-secret";
    private static final String CALLER_TOKEN = "caller-token-of-team-a-planner";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> TRANSPORTS = List.of("JSONRPC", "HTTP+JSON");
    private static final List<Integer> IDLE_GAPS = List.of(6, 7, 8);

    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, CompletableFuture<Map<String, JsonNode>>> direct = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<Map<String, JsonNode>>> proxied = new LinkedHashMap<>();
    private CompletableFuture<List<JsonNode>> idleGaps;
    private EmbeddedCluster cluster;
    private ProxyRig rig;
    private NodeA2a.Agent agent;
    private NodeA2a.Agent keepAliveAgent;
    private String proxyBase;

    @BeforeAll
    void runEveryScenarioDirectlyAndThroughTheProxy() {
        cluster = new EmbeddedCluster(new MergePatchConformingDispatcher(), false);
        rig = new ProxyRig(cluster.client(), ProxySettings.builder());
        agent = NodeA2a.startAgent(SECRET);
        keepAliveAgent = NodeA2a.startAgent(SECRET);
        rig.workspaceIn(ProxyRig.NS, "researcher", agent.baseUrl() + "a2a/jsonrpc");
        rig.workspaceIn(ProxyRig.NS, "sleeper", keepAliveAgent.baseUrl() + "a2a/jsonrpc");
        rig.workspace("planner", null);
        rig.token("planner", CALLER_TOKEN);
        proxyBase = rig.proxy.baseUrl() + "/workspaces/team-a/researcher/";
        for (String transport : TRANSPORTS) {
            NodeA2a.Client toAgent = NodeA2a.client(agent.baseUrl()).transport(transport).secret(SECRET).gap(Duration.ofSeconds(1));
            NodeA2a.Client toProxy = NodeA2a.client(proxyBase).transport(transport).secret(SECRET).gap(Duration.ofSeconds(1));
            if (transport.equals("HTTP+JSON")) {
                toProxy = toProxy.header("X-Workspace-ID", "team-a/planner").header("Proxy-Authorization", "Bearer " + CALLER_TOKEN);
            }
            NodeA2a.Client viaProxy = toProxy;
            direct.put(transport, CompletableFuture.supplyAsync(() -> toAgent.run(TIMEOUT, "all"), runs));
            proxied.put(transport, CompletableFuture.supplyAsync(() -> viaProxy.run(TIMEOUT, "all"), runs));
        }
        idleGaps = CompletableFuture.supplyAsync(() -> {
            List<JsonNode> outcomes = new ArrayList<>();
            for (int seconds : IDLE_GAPS) {
                outcomes.add(NodeA2a.client(rig.proxy.baseUrl() + "/workspaces/team-a/sleeper/").idle(Duration.ofSeconds(seconds))
                        .run(TIMEOUT, "idle-reuse").get("idle-reuse"));
            }
            return outcomes;
        }, runs);
    }

    @AfterAll
    void stop() {
        runs.close();
        for (AutoCloseable c : new AutoCloseable[] {agent, keepAliveAgent, rig, cluster}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"JSONRPC", "HTTP+JSON"})
    void everyScenarioEndsThroughTheProxyAsItEndsDirectly(String transport) {
        Map<String, JsonNode> expected = new LinkedHashMap<>(direct.get(transport).join());
        Map<String, JsonNode> actual = new LinkedHashMap<>(proxied.get(transport).join());
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet()).contains("send", "stream", "stream-gap", "get", "cancel",
                "resubscribe", "push-config", "extended-card", "method-not-found", "invalid-params", "invalid-request", "parse-error",
                "non-ascii", "large-body");

        for (String card : List.of("card", "extended-card")) {
            expected.put(card, servedThroughTheProxy((ObjectNode) expected.get(card), transport));
        }

        actual.forEach((scenario, outcome) -> assertThat(outcome).as(scenario).isEqualTo(expected.get(scenario)));
    }

    @Test
    void theServedCardNamesTheProxyEndpointOfEachTransportAndLeavesGrpcOut() {
        JsonNode card = proxied.get("HTTP+JSON").join().get("card");

        assertThat(card.get("url").asText()).isEqualTo("<base>/a2a");
        assertThat(card.get("additionalInterfaces")).map(i -> i.get("transport").asText() + " " + i.get("url").asText())
                .containsExactly("JSONRPC <base>/a2a", "HTTP+JSON <base>/rest");
        assertThat(card.get("endpoint").asText()).isEqualTo("<base>/rest");
        assertThat(proxied.get("JSONRPC").join().get("extended-card").get("url").asText()).isEqualTo("<base>/a2a");
    }

    @Test
    void callsAfterTheAgentClosedItsIdleConnectionsNeverSeeA502() {
        List<JsonNode> outcomes = idleGaps.join();

        assertThat(outcomes).hasSize(IDLE_GAPS.size()).allSatisfy(outcome -> {
            assertThat(outcome.at("/first/parts/0/text").asText()).as(outcome.toString()).isEqualTo("echo: before idle");
            assertThat(outcome.at("/second/parts/0/text").asText()).as(outcome.toString()).isEqualTo("echo: after idle");
        });
    }

    @Test
    void cardsAndCallsRightAfterTheAgentRestartsNeverSeeA502() {
        String card = "/workspaces/team-a/researcher/.well-known/agent-card.json";
        CompletableFuture.allOf(proxied.values().toArray(CompletableFuture[]::new)).join(); // the runs that use this agent are over
        CompletableFuture.allOf(direct.values().toArray(CompletableFuture[]::new)).join();
        assertThat(rig.get(card).code()).isEqualTo(200); // pooled connections to the agent that is about to go
        int port = agent.port();
        agent.close();
        agent = NodeA2a.startAgent(SECRET, port);

        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            codes.add(rig.get(card).code());
        }
        Map<String, JsonNode> after = NodeA2a.client(proxyBase).run(TIMEOUT, "send", "stream");

        assertThat(codes).containsOnly(200);
        assertThat(after.get("send").at("/parts/0/text").asText()).isEqualTo("echo: hello");
        assertThat(after.get("stream").get("count").asInt()).isEqualTo(22);
    }

    /**
     * The documented difference: a card served through the proxy names the proxy's endpoint of each transport it
     * serves ({@code <base>/a2a}, {@code <base>/rest}) and lists no gRPC interface. Applied to the direct run's card.
     */
    private static JsonNode servedThroughTheProxy(ObjectNode card, String transport) {
        ObjectNode served = card.deepCopy();
        if (served.has("url")) {
            served.put("url", "<base>/a2a");
        }
        if (served.get("additionalInterfaces") instanceof ArrayNode interfaces) {
            ArrayNode kept = served.putArray("additionalInterfaces");
            for (JsonNode i : interfaces) {
                switch (i.get("transport").asText()) {
                    case "JSONRPC" -> kept.add(((ObjectNode) i.deepCopy()).put("url", "<base>/a2a"));
                    case "HTTP+JSON" -> kept.add(((ObjectNode) i.deepCopy()).put("url", "<base>/rest"));
                    default -> {
                    }
                }
            }
        }
        if (served.has("endpoint")) {
            served.put("endpoint", transport.equals("HTTP+JSON") ? "<base>/rest" : "<base>/a2a");
        }
        return served;
    }
}
