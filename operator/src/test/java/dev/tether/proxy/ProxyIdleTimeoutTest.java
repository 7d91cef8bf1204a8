package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.RuntimeStatus;
import dev.tether.testing.MockKubeApi;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The idle window: which rule sets it, what resets it, and what a caller sees when it fires. */
class ProxyIdleTimeoutTest {
    /** Where a 1 s window is to cut, the agent would answer only after the latest the cut may come (the test ends at the cut). */
    static final Duration PAST_A_ONE_SECOND_CUT = silentPast(Duration.ofSeconds(1));
    /** The window heartbeats keep open: a beat every 300 ms has {@link ProxyRig#LATE} of room to reach the proxy. */
    static final Duration BEATEN_WINDOW = Duration.ofSeconds(5);
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;
    ScheduledExecutorService runtime;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().defaultIdleTimeout(Duration.ofSeconds(1)));
        rig.agent.on("/think", rig.agent.answerAfter(Duration.ofSeconds(2)));
        rig.workspace("thinker", "/think");
        runtime = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() {
        runtime.shutdownNow();
        rig.close();
    }

    @Test
    void agentSilentLongerThanTheWindowIsCutOffWith503AndRetryAfter() {
        rig.agent.on("/think", rig.agent.answerAfter(PAST_A_ONE_SECOND_CUT));

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/thinker/a2a", MESSAGE);

        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.header("Retry-After")).isEqualTo("1");
        assertThat(reply.json().get("error").asText()).contains("team-a/thinker", "silent", "idle timeout");
        assertThat(reply.json().get("workspace").asText()).isEqualTo("team-a/thinker");
        assertThat(reply.json().get("idle_timeout_seconds").asInt()).isEqualTo(1);
        assertThat(reply.json().get("source").asText()).isEqualTo("Default");
        ProxyRig.assertFiredAt(Duration.ofMillis(reply.json().get("elapsed_ms").asLong()), Duration.ofSeconds(1));
        ProxyRig.assertFiredAt(reply.elapsed(), Duration.ofSeconds(1));
    }

    @Test
    void runtimeDeclaringALongerWindowLetsTheSameSilentAgentAnswer() {
        // 7 s: the agent's 2 s answer comes well inside it (ProxyRig.LATE of room).
        rig.patchStatus("thinker", "{\"runtime\": {\"idleTimeoutSeconds\": 7}, \"dispatch\": {\"idleTimeoutSeconds\": 7, \"source\": \"Runtime\"}}");

        ProxyRig.Reply reply = rig.post("/workspaces/team-a/thinker/a2a", MESSAGE);

        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.json().at("/result/echo/params/message/parts/0/text").asText()).isEqualTo("think hard");
        assertThat(reply.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void specWindowBeatsTheRuntimeAndAChangedPolicyReachesTheNextDispatch() {
        // As the reconciler writes it: the admin's spec override (1 s) won over the runtime's 7 s.
        rig.patchStatus("thinker", "{\"runtime\": {\"idleTimeoutSeconds\": 7}, \"dispatch\": {\"idleTimeoutSeconds\": 1, \"source\": \"Spec\"}}");
        rig.agent.on("/think", rig.agent.answerAfter(PAST_A_ONE_SECOND_CUT));
        ProxyRig.Reply cut = rig.post("/workspaces/team-a/thinker/a2a", MESSAGE);
        assertThat(cut.code()).isEqualTo(503);
        assertThat(cut.json().get("source").asText()).isEqualTo("Spec");
        assertThat(cut.json().get("idle_timeout_seconds").asInt()).isEqualTo(1);

        // The override is removed; the reconciler now resolves the runtime's declaration.
        rig.dispatchPolicy("thinker", 7, "Runtime");
        rig.agent.on("/think", rig.agent.answerAfter(Duration.ofSeconds(2)));
        assertThat(rig.post("/workspaces/team-a/thinker/a2a", MESSAGE).code()).isEqualTo(200);
    }

    @Test
    void healthyHeartbeatsKeepASilentDispatchAlivePastItsWindow() {
        Duration silence = BEATEN_WINDOW.plusSeconds(2);
        ProxyRig.Reply reply = dispatchWhileTheRuntimeBeatsEvery300ms("", silence);

        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.elapsed()).isGreaterThanOrEqualTo(silence.minus(ProxyRig.EARLY));
    }

    @Test
    void heartbeatsOfAWedgedRuntimeAreNotProgress() {
        ProxyRig.Reply reply = dispatchWhileTheRuntimeBeatsEvery300ms(RuntimeStatus.WEDGED, silentPast(BEATEN_WINDOW));

        assertThat(reply.code()).isEqualTo(503);
        ProxyRig.assertFiredAt(reply.elapsed(), BEATEN_WINDOW);
    }

    @Test
    void heartbeatsOfARuntimeReportingNoActiveTaskAreNotProgress() {
        ProxyRig.Reply reply = dispatchWhileTheRuntimeBeatsEvery300ms("", 0, silentPast(BEATEN_WINDOW));

        assertThat(reply.code()).isEqualTo(503);
        ProxyRig.assertFiredAt(reply.elapsed(), BEATEN_WINDOW);
    }

    /** An agent silent for {@code silence} under {@link #BEATEN_WINDOW} while the runtime heartbeats with {@code state}, at work. */
    private ProxyRig.Reply dispatchWhileTheRuntimeBeatsEvery300ms(String state, Duration silence) {
        return dispatchWhileTheRuntimeBeatsEvery300ms(state, 1, silence);
    }

    private ProxyRig.Reply dispatchWhileTheRuntimeBeatsEvery300ms(String state, int activeTasks, Duration silence) {
        rig.agent.on("/think", rig.agent.answerAfter(silence));
        rig.dispatchPolicy("thinker", (int) BEATEN_WINDOW.toSeconds(), "Runtime");
        runtime.scheduleAtFixedRate(() -> rig.heartbeat("thinker", state, activeTasks), 300, 300, TimeUnit.MILLISECONDS);
        return rig.post("/workspaces/team-a/thinker/a2a", MESSAGE);
    }

    /** Longer than the latest a cut at {@code window} may come, so the agent's answer never races it. */
    static Duration silentPast(Duration window) {
        return window.plus(ProxyRig.LATE).plusSeconds(1);
    }

    @Test
    void windowShortenedWhileADispatchIsInFlightCutsThatDispatch() {
        rig.agent.on("/think", rig.agent.answerAfter(Duration.ofSeconds(20)));
        rig.dispatchPolicy("thinker", 30, "Runtime");
        CompletableFuture<ProxyRig.Reply> inFlight = CompletableFuture.supplyAsync(
                () -> rig.post("/workspaces/team-a/thinker/a2a", MESSAGE), Executors.newVirtualThreadPerTaskExecutor());
        await().atMost(Duration.ofSeconds(5)).until(() -> rig.agent.receivedCount() == 1);

        long changed = System.nanoTime();
        rig.dispatchPolicy("thinker", 1, "Spec");
        ProxyRig.Reply reply = inFlight.join();

        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.json().get("idle_timeout_seconds").asInt()).isEqualTo(1);
        assertThat(reply.json().get("source").asText()).isEqualTo("Spec");
        assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThanOrEqualTo(Duration.ofSeconds(1).plus(ProxyRig.LATE));
    }
}
