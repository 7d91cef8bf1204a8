package dev.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The A2A SDK harness on its own, no proxy: every client.mjs scenario against agent.mjs over both transports ends
 * the way the SDK makes it end, and a second run prints the same normalised outcomes — which is what lets a run
 * through the proxy be compared with a direct one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class A2aSdkHarnessTest {
    private static final String SECRET = "harness-secret";
    private static final Duration GAP = Duration.ofMillis(1000);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> SCENARIOS = List.of("card", "send", "stream", "stream-gap", "get", "cancel", "resubscribe",
            "push-config", "extended-card", "extended-card-unauthenticated", "task-not-found", "method-not-found", "invalid-params",
            "invalid-request", "parse-error", "non-ascii", "large-body", "idle-reuse");
    private static final int LARGE_TEXT = 1024 * 1024 - 4096;

    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, CompletableFuture<Map<String, JsonNode>>> first = new HashMap<>();
    private final Map<String, CompletableFuture<Map<String, JsonNode>>> second = new HashMap<>();
    private NodeA2a.Agent agent;

    /** Four client runs at once (two per transport), so the suite waits for the slow scenarios once. */
    @BeforeAll
    void runEveryScenarioTwicePerTransport() {
        agent = NodeA2a.startAgent(SECRET);
        for (String transport : List.of("JSONRPC", "HTTP+JSON")) {
            NodeA2a.Client client = NodeA2a.client(agent.baseUrl()).transport(transport).secret(SECRET).gap(GAP)
                    .idle(Duration.ofMillis(5500));
            first.put(transport, CompletableFuture.supplyAsync(() -> client.run(TIMEOUT, "all", "idle-reuse"), runs));
            second.put(transport, CompletableFuture.supplyAsync(() -> client.run(TIMEOUT, "all"), runs));
        }
    }

    @AfterAll
    void stopAgent() {
        runs.close(); // waits for the client runs (each ends within TIMEOUT)
        if (agent != null) {
            agent.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"JSONRPC", "HTTP+JSON"})
    void everyScenarioEndsAsTheSdkMakesItEnd(String transport) {
        Map<String, JsonNode> run = first.get(transport).join();
        boolean rest = transport.equals("HTTP+JSON");
        assertThat(run.keySet()).containsExactlyElementsOf(SCENARIOS);

        JsonNode card = run.get("card");
        assertThat(card.get("selectedTransport").asText()).isEqualTo(transport);
        assertThat(card.get("endpoint").asText()).isEqualTo(rest ? "<base>/a2a/rest" : "<base>/a2a/jsonrpc");
        assertThat(texts(card.get("additionalInterfaces"), "transport")).containsExactly("JSONRPC", "HTTP+JSON", "GRPC");
        assertThat(card.get("supportsAuthenticatedExtendedCard").asBoolean()).isTrue();

        assertThat(run.get("send").at("/kind").asText()).isEqualTo("message");
        assertThat(run.get("send").at("/parts/0/text").asText()).isEqualTo("echo: hello");

        JsonNode stream = run.get("stream");
        assertThat(stream.get("count").asInt()).isEqualTo(22);
        List<String> kinds = texts(stream.get("events"), "kind");
        assertThat(kinds.getFirst()).isEqualTo("task");
        for (int i = 1; i <= 20; i++) {
            assertThat(kinds.get(i)).as("event %d", i).isEqualTo(i % 2 == 1 ? "artifact-update" : "status-update");
        }
        assertCompleted(stream.at("/events/21"));

        JsonNode gap = run.get("stream-gap");
        assertThat(gap.get("count").asInt()).isEqualTo(4);
        assertThat(gap.get("silenceObserved").asBoolean()).isTrue();
        assertThat(gap.at("/events/2/artifact/parts/0/text").asText()).isEqualTo("done after " + GAP.toMillis() + " ms");
        assertCompleted(gap.at("/events/3"));

        JsonNode get = run.get("get");
        assertThat(get.at("/first/status/state").asText()).isEqualTo("input-required");
        assertThat(get.at("/waiting/status/state").asText()).isEqualTo("input-required");
        assertThat(texts(get.at("/waiting/history"), "role")).containsExactly("user", "agent");
        assertThat(get.at("/reply/status/message/parts/0/text").asText()).isEqualTo("got: blue");
        assertThat(get.at("/done/status/state").asText()).isEqualTo("completed");

        JsonNode cancel = run.get("cancel");
        assertThat(cancel.at("/started/status/state").asText()).isEqualTo("submitted");
        assertThat(cancel.at("/canceled/status/state").asText()).isEqualTo("canceled");
        assertThat(cancel.at("/after/status/state").asText()).isEqualTo("canceled");
        assertThat(cancel.at("/again/error/name").asText()).isEqualTo("TaskNotCancelableError");

        JsonNode resubscribe = run.get("resubscribe");
        assertThat(resubscribe.get("count").asInt()).isEqualTo(6);
        assertThat(resubscribe.at("/events/0/status/state").asText()).isEqualTo("submitted");
        assertCompleted(resubscribe.at("/events/5"));
        assertThat(resubscribe.at("/afterCompletion/0/status/state").asText()).isEqualTo("completed");

        JsonNode push = run.get("push-config");
        if (rest) {
            assertThat(push.at("/sdkSet/error/message").asText()).contains("-32602");
            assertThat(push.at("/set/status").asInt()).isEqualTo(201);
        } else {
            assertThat(push.at("/set/pushNotificationConfig/id").asText()).isEqualTo("cfg-1");
        }
        assertThat(push.at("/get/pushNotificationConfig/url").asText()).isEqualTo("https://push.invalid/hook");
        assertThat(push.get("list")).hasSize(1);
        assertThat(push.at("/delete/ok").asBoolean()).isTrue();
        assertThat(push.get("listAfter")).isEmpty();
        assertThat(push.at("/getAfter/error/message").asText()).contains("not found");

        JsonNode extended = run.get("extended-card");
        assertThat(extended.get("name").asText()).isEqualTo("Tether conformance agent (extended)");
        assertThat(texts(extended.get("skills"), "id")).containsExactly("echo", "secret");
        assertThat(extended.get("url").asText()).isEqualTo("<base>/a2a/jsonrpc");
        assertThat(run.get("extended-card-unauthenticated").at("/error/message").asText()).contains("401");

        assertThat(run.get("task-not-found").at("/get/error/name").asText()).isEqualTo("TaskNotFoundError");
        assertThat(run.get("task-not-found").at("/cancel/error/name").asText()).isEqualTo("TaskNotFoundError");

        assertRaw(run.get("method-not-found"), rest ? 404 : 200, rest ? null : -32601);
        assertRaw(run.get("invalid-params"), rest ? 400 : 200, -32602);
        assertRaw(run.get("invalid-request"), rest ? 400 : 200, rest ? -32602 : -32600); // REST has no "invalid request"
        assertRaw(run.get("parse-error"), 400, -32700);

        assertThat(run.get("non-ascii").get("roundTrip").asBoolean()).isTrue();
        assertThat(run.get("large-body").get("roundTrip").asBoolean()).isTrue();
        assertThat(run.get("large-body").at("/answer/parts/0/text").asText()).startsWith("<text length=" + (LARGE_TEXT + "echo: ".length()) + " ");

        assertThat(run.get("idle-reuse").at("/first/parts/0/text").asText()).isEqualTo("echo: before idle");
        assertThat(run.get("idle-reuse").at("/second/parts/0/text").asText()).isEqualTo("echo: after idle");
    }

    @ParameterizedTest
    @ValueSource(strings = {"JSONRPC", "HTTP+JSON"})
    void aSecondRunPrintsTheSameOutcomes(String transport) {
        Map<String, JsonNode> once = new LinkedHashMap<>(first.get(transport).join());
        once.remove("idle-reuse");
        assertThat(second.get(transport).join()).containsExactlyEntriesOf(once);
    }

    private static void assertCompleted(JsonNode event) {
        assertThat(event.get("kind").asText()).isEqualTo("status-update");
        assertThat(event.get("final").asBoolean()).isTrue();
        assertThat(event.at("/status/state").asText()).isEqualTo("completed");
    }

    /** A raw request's outcome: its status and, for JSON bodies, the error code (JSON-RPC's, or REST's top-level). */
    private static void assertRaw(JsonNode outcome, int status, Integer code) {
        assertThat(outcome.get("status").asInt()).as(outcome.toString()).isEqualTo(status);
        if (code != null) {
            JsonNode body = outcome.get("body");
            JsonNode actual = body.has("error") ? body.at("/error/code") : body.get("code");
            assertThat(actual.asInt()).as(outcome.toString()).isEqualTo(code);
        }
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(node -> node.path(field).asText()).toList();
    }
}
