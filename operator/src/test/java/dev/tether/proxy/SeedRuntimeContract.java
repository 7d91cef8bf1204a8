package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.api.DispatchSource;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.heartbeat.HeartbeatParser;
import dev.tether.policy.PolicySettings;
import dev.tether.testing.KubeTier;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.TierContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Python runtime of the platform Tether replaces, replayed on the wire exactly as it speaks: one PLATFORM_URL
 * (the proxy) for registry and dispatch, its full beat declaring a window, the partial beat it posts at every task
 * start and end, a long stack trace in {@code sample_error}, and its discovery calls. The platform default window
 * is 2 s and the runtime declares 8 s, so a fallback to the default cuts the 5 s thought below. Runs on the mock
 * API and on a real kube-apiserver.
 */
abstract class SeedRuntimeContract extends TierContract {
    static final PolicySettings POLICY = new PolicySettings(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofHours(2),
            Duration.ofMinutes(30));
    static final Duration THOUGHT = Duration.ofSeconds(5);
    static final int DECLARED = 8;

    TetherStack stack;
    DispatchProxy proxy;
    RuntimeClient runtime;

    @BeforeEach
    void start() {
        stack = new TetherStack(kube().client(), kube().namespace(), POLICY);
        proxy = stack.startProxy();
        runtime = stack.runtimeVia(proxy);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    String id(String name) {
        return kube().namespace() + "/" + name;
    }

    /** The full beat the seed runtime sends every 30 s, with its claude-code adapter's declaration. */
    String fullBeat(String name, int idleSeconds) {
        return """
                {"workspace_id": "%s", "error_rate": 0.0, "sample_error": "", "active_tasks": 0, "uptime_seconds": 3600,
                 "current_task": "", "monthly_spend": 0, "runtime_state": "",
                 "runtime_metadata": {"capabilities": {"heartbeat": false, "scheduler": false, "session": true,
                   "status_mgmt": false, "retry": false, "activity_decoration": false, "channel_dispatch": false},
                   "idle_timeout_seconds": %d}}""".formatted(id(name), idleSeconds);
    }

    /** The partial beat it posts at every task start and end: no runtime_metadata, uptime 0. */
    String partialBeat(String name) {
        return """
                {"workspace_id": "%s", "current_task": "think it over", "active_tasks": 1, "error_rate": 0, "sample_error": "", "uptime_seconds": 0}"""
                .formatted(id(name));
    }

    @Test
    void aPartialBeatLandingMidDispatchKeepsTheDeclaredWindow() {
        stack.agent.on("/thinker", stack.agent.answerAfter(THOUGHT));
        String token = stack.workspace("thinker", "/thinker");
        assertThat(runtime.heartbeat(token, fullBeat("thinker", DECLARED)).status()).isEqualTo(200);
        stack.awaitEnforced(proxy, "thinker", DECLARED, DispatchSource.Runtime);

        CompletableFuture<ProxyRig.Reply> dispatch = CompletableFuture.supplyAsync(() -> stack.dispatch(proxy, "thinker"));
        await().atMost(TetherStack.WAIT).until(() -> stack.agent.receivedCount() == 1);
        RuntimeClient.Reply partial = runtime.heartbeat(token, partialBeat("thinker"));

        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.body().at("/dispatch/source").asText()).isEqualTo("runtime");
        ProxyRig.Reply reply = dispatch.join();
        assertThat(reply.code()).as("the agent thought for %s, past the %s default: %s", THOUGHT, POLICY.defaultIdleTimeout(), reply.body())
                .isEqualTo(200);
        Workspace ws = stack.get("thinker");
        assertThat(ws.getStatus().getDispatch().source()).isEqualTo(DispatchSource.Runtime);
        assertThat(ws.getStatus().getDispatch().idleTimeoutSeconds()).isEqualTo(DECLARED);
        RuntimeStatus reported = ws.getStatus().getRuntime();
        assertThat(reported.activeTasks()).isEqualTo(1);
        assertThat(reported.currentTask()).isEqualTo("think it over");
        assertThat(reported.uptimeSeconds()).isEqualTo(3600);
        assertThat(reported.capabilities()).containsEntry("session", true);
    }

    @Test
    void theRuntimeShorteningItsWindowMidDispatchDoesNotCutThatDispatch() {
        stack.agent.on("/thinker", stack.agent.answerAfter(THOUGHT));
        String token = stack.workspace("thinker", "/thinker");
        runtime.heartbeat(token, fullBeat("thinker", DECLARED));
        stack.awaitEnforced(proxy, "thinker", DECLARED, DispatchSource.Runtime);

        CompletableFuture<ProxyRig.Reply> dispatch = CompletableFuture.supplyAsync(() -> stack.dispatch(proxy, "thinker"));
        await().atMost(TetherStack.WAIT).until(() -> stack.agent.receivedCount() == 1);
        runtime.heartbeat(token, fullBeat("thinker", 1));
        stack.awaitEnforced(proxy, "thinker", 1, DispatchSource.Runtime);

        assertThat(dispatch.join().code()).as("the dispatch in flight keeps the window it started with").isEqualTo(200);
        assertThat(stack.dispatch(proxy, "thinker").code()).as("the next dispatch gets the new 1 s window").isEqualTo(503);
    }

    @Test
    void aLongStackTraceInSampleErrorIsAcceptedAndRefreshesLiveness() {
        String token = stack.workspace("tracer", "/tracer");
        String trace = "x".repeat(5_000);
        RuntimeClient.Reply reply = runtime.heartbeat(token, """
                {"workspace_id": "%s", "error_rate": 0.2, "sample_error": "%s", "active_tasks": 1, "uptime_seconds": 60}"""
                .formatted(id("tracer"), trace));

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        await().atMost(TetherStack.WAIT).untilAsserted(() -> assertThat(stack.get("tracer").getStatus().getPhase()).isEqualTo(WorkspacePhase.Online));
        Workspace ws = stack.get("tracer");
        assertThat(ws.getStatus().getLastHeartbeatTime()).isNotNull();
        assertThat(ws.getStatus().getRuntime().sampleError()).hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_TEXT).startsWith("xxxx")
                .endsWith(" bytes]");
        assertThat(ws.getStatus().getRuntime().activeTasks()).isEqualTo(1);
    }

    @Test
    void registrationHeartbeatsAndDispatchShareOneBaseUrl() {
        stack.agent.on("/self", stack.agent.answerAfter(Duration.ZERO));
        String token = stack.workspace("self", "/nowhere");
        stack.workspaces.editSpec("self", spec -> spec.setUrl(null));

        RuntimeClient.Reply registered = runtime.post("/registry/register", token, """
                {"id": "%s", "url": "%s", "agent_card": {"name": "self", "url": "%s"}}""".formatted(id("self"), stack.agent.url("/self"),
                stack.agent.url("/self")));
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
        assertThat(runtime.heartbeat(token, fullBeat("self", DECLARED)).status()).isEqualTo(200);
        await().atMost(TetherStack.WAIT).until(() -> stack.enforces(proxy, "self", DECLARED, DispatchSource.Runtime));

        ProxyRig.Reply dispatched = stack.dispatch(proxy, "self");
        assertThat(dispatched.code()).as(dispatched.body()).isEqualTo(200);
        assertThat(stack.agent.last().path()).isEqualTo("/self");
        RuntimeClient.Reply unauthenticated = runtime.heartbeat("not-the-token", fullBeat("self", DECLARED));
        assertThat(unauthenticated.status()).as("the relay carries the operator's own refusals").isEqualTo(401);
    }

    @Test
    void discoveryFollowsTheWorkspaceHierarchyAndPointsThroughTheProxy() {
        // lead ── alpha, beta        other-lead ── stranger
        String lead = stack.workspace("lead", "/lead");
        String alpha = workspaceUnder("alpha", "lead", "researcher");
        workspaceUnder("beta", "lead", "reviewer");
        stack.workspace("other-lead", "/other");
        String stranger = workspaceUnder("stranger", "other-lead", null);

        JsonNode sibling = discover(alpha, "alpha", id("beta"));
        assertThat(sibling.path("url").asText()).isEqualTo(proxy.baseUrl() + "/workspaces/" + kube().namespace() + "/beta/a2a");
        assertThat(sibling.path("name").asText()).isEqualTo("beta");
        assertThat(sibling.path("id").asText()).as("bare: the stack's namespace is the default one").isEqualTo("beta");
        assertThat(discover(alpha, "alpha", id("lead")).path("name").asText()).as("the parent").isEqualTo("lead");
        assertThat(discoverStatus(alpha, "alpha", id("stranger"))).as("outside the caller rules").isEqualTo(403);
        assertThat(discoverStatus(alpha, "alpha", id("nobody"))).as("unknown").isEqualTo(404);
        assertThat(discoverStatus(stranger, "alpha", id("beta"))).as("someone else's token").isEqualTo(401);

        JsonNode peers = get(alpha, "/registry/" + id("alpha") + "/peers");
        assertThat(names(peers)).containsExactly("lead", "beta");
        JsonNode parent = peers.get(0);
        assertThat(parent.path("status").isNull() || parent.path("status").isTextual()).isTrue();
        assertThat(parent.path("url").asText()).startsWith(proxy.baseUrl() + "/workspaces/");
        assertThat(parent.path("parent_id").isNull()).isTrue();
        assertThat(peers.get(1).path("role").asText()).isEqualTo("reviewer");
        assertThat(peers.get(1).path("parent_id").asText()).isEqualTo("lead");
        assertThat(names(get(lead, "/registry/" + id("lead") + "/peers"))).containsExactly("other-lead", "alpha", "beta");
        assertThat(names(get(lead, "/registry/" + id("lead") + "/peers?q=REVIEW"))).as("q: role, any case").containsExactly("beta");
        assertThat(names(get(lead, "/registry/" + id("lead") + "/peers?q=other"))).as("q: name").containsExactly("other-lead");

        assertThat(checkAccess(alpha, "alpha", "beta")).isTrue();
        assertThat(checkAccess(alpha, "alpha", "lead")).isTrue();
        assertThat(checkAccess(alpha, "alpha", "stranger")).isFalse();
        assertThat(checkAccess(stranger, "alpha", "stranger")).as("the target may ask too").isFalse();
        assertThat(checkAccess(alpha, "alpha", "nobody")).isFalse();
    }

    private String workspaceUnder(String name, String parent, String role) {
        return stack.workspace(name, spec -> {
            spec.setUrl(stack.agent.url("/" + name));
            spec.setParentRef(parent);
            spec.setRole(role);
        });
    }

    private JsonNode discover(String token, String caller, String target) {
        RuntimeClient.Reply reply = discoverReply(token, caller, target);
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.body();
    }

    private int discoverStatus(String token, String caller, String target) {
        return discoverReply(token, caller, target).status();
    }

    private RuntimeClient.Reply discoverReply(String token, String caller, String target) {
        return runtime.send(new Request.Builder().url(proxy.baseUrl() + "/registry/discover/" + target).header("X-Workspace-ID", id(caller)),
                token);
    }

    private JsonNode get(String token, String path) {
        RuntimeClient.Reply reply = runtime.send(new Request.Builder().url(proxy.baseUrl() + path), token);
        assertThat(reply.status()).as(path + ": " + reply.body()).isEqualTo(200);
        return reply.body();
    }

    private boolean checkAccess(String token, String caller, String target) {
        RuntimeClient.Reply reply = runtime.post("/registry/check-access", token,
                "{\"caller_id\": \"" + id(caller) + "\", \"target_id\": \"" + id(target) + "\"}");
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.body().path("allowed").asBoolean();
    }

    private static List<String> names(JsonNode peers) {
        return StreamSupport.stream(peers.spliterator(), false).map(p -> p.path("name").asText()).toList();
    }
}
