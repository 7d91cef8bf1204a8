package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.testing.MockKubeApi;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SSE answers: relayed event by event, kept alive by the proxy, cut with a JSON-RPC error when a limit fires.
 * The idle window is {@link #WINDOW}: every event the agent must send before a limit fires comes at least
 * {@link ProxyRig#LATE} before it.
 */
class ProxyStreamingTest {
    static final Duration WINDOW = Duration.ofSeconds(5);
    static final String STREAM_03 = """
            {"jsonrpc":"2.0","id":"s-1","method":"message/stream",
             "params":{"message":{"role":"user","messageId":"m-1","parts":[{"kind":"text","text":"go"}]}}}""";
    static final String STREAM_10 = """
            {"jsonrpc":"2.0","id":"s-2","method":"SendStreamingMessage",
             "params":{"message":{"role":"ROLE_USER","messageId":"m-2","parts":[{"text":"go"}]}}}""";

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().sseKeepalive(Duration.ofMillis(200)));
        rig.workspace("streamer", "/stream");
        rig.dispatchPolicy("streamer", (int) WINDOW.toSeconds(), "Runtime");
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void streamWhoseEventsComeWithinTheWindowRunsPastIt() {
        rig.agent.on("/stream", rig.agent.stream(10, Duration.ofMillis(600))); // 6 s in all, under a 5 s window

        ProxyRig.Stream stream = rig.stream("/workspaces/team-a/streamer/a2a", STREAM_10, "A2A-Version", "1.0");

        assertThat(stream.code()).isEqualTo(200);
        assertThat(stream.headers().get("Content-Type")).startsWith("text/event-stream");
        List<ProxyRig.Line> events = stream.data();
        assertThat(events).hasSize(10);
        assertThat(events).allSatisfy(e -> assertThat(stream.json(e).has("error")).isFalse());
        assertThat(stream.json(events.get(9)).at("/result/n").asInt()).isEqualTo(10);
        // Relayed as they happen, not buffered to the end: the agent sent the first and last 5.4 s apart.
        assertThat(events.get(9).at().minus(events.get(0).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(stream.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(6).minus(ProxyRig.EARLY));
    }

    @Test
    void stalledStreamIsCutWithAJsonRpcErrorEventNamingTheIdleTimeout() {
        rig.agent.on("/stream", rig.agent.streamThenStall(2, Duration.ofMillis(200)));

        ProxyRig.Stream stream = rig.stream("/workspaces/team-a/streamer/a2a", STREAM_03);

        assertThat(stream.code()).isEqualTo(200);
        List<ProxyRig.Line> events = stream.data();
        assertThat(events).hasSize(3);
        JsonNode last = stream.json(events.get(2));
        assertThat(last.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(last.get("id").asText()).isEqualTo("s-1");
        assertThat(last.at("/error/code").asInt()).isEqualTo(-32000);
        assertThat(last.at("/error/message").asText()).contains("idle timeout", "team-a/streamer");
        assertThat(last.at("/error/data/idle_timeout_seconds").asLong()).isEqualTo(WINDOW.toSeconds());
        // The agent sent its second event 2 × 200 ms after the request at the earliest.
        ProxyRig.assertFiredAt(events.get(2).at().minus(Duration.ofMillis(400)), events.get(2).at().minus(events.get(1).at()), WINDOW);
    }

    /** Keepalives every 200 ms: about 24 in the window's silence; at least 5 must arrive, however loaded the runner. */
    @Test
    void keepalivesFlowDuringSilenceButDoNotExtendTheWindow() {
        rig.agent.on("/stream", rig.agent.streamThenStall(1, Duration.ZERO));

        ProxyRig.Stream stream = rig.stream("/workspaces/team-a/streamer/a2a", STREAM_03);

        List<ProxyRig.Line> events = stream.data();
        assertThat(events).hasSize(2);
        Duration firstEvent = events.get(0).at();
        Duration cut = events.get(1).at();
        assertThat(stream.keepalives()).filteredOn(k -> k.at().compareTo(firstEvent) > 0 && k.at().compareTo(cut) < 0)
                .hasSizeGreaterThanOrEqualTo(5);
        ProxyRig.assertFiredAt(cut, cut.minus(firstEvent), WINDOW);
        assertThat(stream.json(events.get(1)).at("/error/message").asText()).contains("idle timeout");
    }

    @Test
    void ceilingFiringMidStreamEndsItWithAnErrorEventNamingTheCeiling() {
        rig.agent.on("/stream", rig.agent.stream(50, Duration.ofMillis(200))); // 10 s in all

        ProxyRig.Stream stream = rig.stream("/workspaces/team-a/streamer/a2a", STREAM_03, "X-Timeout", "5");

        List<ProxyRig.Line> events = stream.data();
        JsonNode last = stream.json(events.get(events.size() - 1));
        assertThat(last.at("/error/message").asText()).contains("ceiling", "X-Timeout");
        assertThat(last.at("/error/data/ceiling_seconds").asInt()).isEqualTo(5);
        // Events were relayed before the cut; the agent's own stream would have run 10 s.
        assertThat(events.subList(0, events.size() - 1)).isNotEmpty()
                .allSatisfy(e -> assertThat(stream.json(e).has("result")).isTrue());
        ProxyRig.assertFiredAt(events.get(events.size() - 1).at(), Duration.ofSeconds(5));
    }

    @Test
    void callerHangingUpMidStreamCancelsTheAgentsStream() throws IOException {
        rig.agent.on("/stream", rig.agent.stream(100, Duration.ofMillis(100)));
        Request request = new Request.Builder().url(rig.proxy.baseUrl() + "/workspaces/team-a/streamer/a2a")
                .post(RequestBody.create(STREAM_03, ProxyRig.JSON)).build();

        try (Response response = rig.http.newCall(request).execute()) {
            assertThat(response.body().source().readUtf8Line()).startsWith("data:");
        } // hangs up after the first event

        await().atMost(Duration.ofSeconds(5)).until(() -> rig.agent.writeFailures() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> rig.inFlight() == 0);
        assertThat(rig.metrics()).contains("tether_proxy_dispatches_total{outcome=\"client_gone\",role=\"proxy\",workspace=\"team-a/streamer\"} 1.0");
    }
}
