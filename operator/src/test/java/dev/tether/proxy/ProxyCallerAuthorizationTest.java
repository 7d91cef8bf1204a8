package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.MESSAGE;
import static dev.tether.proxy.ProxyRig.from;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.MockKubeApi;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Agent-to-agent calls through the proxy: the caller named in X-Workspace-ID must present its own
 * workspace token (checked against status.tokenSha256 in the informer cache) and sit in the target's
 * hierarchy; canvas calls are open unless a canvas token is configured.
 *
 * <pre>
 * team-a:  lead ── dev          other-root ── helper
 *              └─ qa
 * team-b:  dev
 * </pre>
 */
class ProxyCallerAuthorizationTest {
    static final String DEV = "/workspaces/team-a/dev/a2a";

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;
    String lead;
    String dev;
    String qa;
    String helper;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().defaultIdleTimeout(Duration.ofSeconds(10)));
        rig.agent.on("/a2a", x -> x.echo());
        rig.child("lead", "/a2a", null);
        rig.child("dev", "/a2a", "lead");
        rig.child("qa", "/a2a", "lead");
        rig.child("helper", "/a2a", "other-root");
        lead = rig.token("lead", "lead-token");
        dev = rig.token("dev", "dev-token");
        qa = rig.token("qa", "qa-token");
        helper = rig.token("helper", "helper-token");
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void siblingWithItsOwnTokenIsForwardedAndItsTokenStaysAtTheProxy() {
        ProxyRig.Reply reply = rig.post(DEV, MESSAGE, from("team-a/qa", qa));

        assertThat(reply.code()).isEqualTo(200);
        TestAgent.Received sent = rig.agent.last();
        assertThat(sent.header("X-Workspace-ID")).isEqualTo("team-a/qa");
        assertThat(sent.headers()).doesNotContainKey("authorization");
    }

    @Test
    void selfAncestorAndDescendantMayCallEachOtherAndABareCallerNameResolvesInTheDefaultNamespace() {
        assertThat(rig.post(DEV, MESSAGE, from("team-a/dev", dev)).code()).isEqualTo(200);
        assertThat(rig.post(DEV, MESSAGE, from("team-a/lead", lead)).code()).isEqualTo(200);
        assertThat(rig.post("/workspaces/team-a/lead/a2a", MESSAGE, from("dev", dev)).code()).isEqualTo(200);
    }

    @Test
    void tokenOfAnotherWorkspaceIs401AndNothingReachesTheAgent() {
        ProxyRig.Reply reply = rig.post(DEV, MESSAGE, from("team-a/qa", dev));

        assertThat(reply.code()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(reply.json().get("error").asText()).contains("team-a/qa").doesNotContain(dev);
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void missingTokenUnknownCallerAndCallerWithoutAPublishedHashAreAll401() {
        assertThat(rig.post(DEV, MESSAGE, "X-Workspace-ID", "team-a/qa").code()).isEqualTo(401);
        assertThat(rig.post(DEV, MESSAGE, "X-Workspace-ID", "team-a/qa", "Authorization", "Basic cWE6cWE=").code()).isEqualTo(401);
        assertThat(rig.post(DEV, MESSAGE, from("team-a/ghost", qa)).code()).isEqualTo(401);
        rig.child("fresh", "/a2a", "lead"); // the reconciler has not published its hash yet
        assertThat(rig.post(DEV, MESSAGE, from("team-a/fresh", "anything")).code()).isEqualTo(401);
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void authenticatedCallerOutsideTheHierarchyIs403() {
        ProxyRig.Reply reply = rig.post(DEV, MESSAGE, from("team-a/helper", helper));

        assertThat(reply.code()).isEqualTo(403);
        assertThat(reply.json().get("error").asText()).contains("team-a/helper", "may not call", "team-a/dev");
        assertThat(reply.json().get("caller").asText()).isEqualTo("team-a/helper");
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void callerInAnotherNamespaceIs403EvenWithTheSameName() {
        rig.workspaceIn("team-b", "dev", rig.agent.url("/a2a"), "lead");
        String teamB = rig.tokenIn("team-b", "dev", "b-token");

        assertThat(rig.post(DEV, MESSAGE, from("team-b/dev", teamB)).code()).isEqualTo(403);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"system:scheduler", "webhook:github", "test:harness", "channel:slack"})
    void reservedCallerIdsFromOutsideAre403WhateverTheToken(String caller) {
        ProxyRig.Reply reply = rig.post(DEV, MESSAGE, from(caller, dev));

        assertThat(reply.code()).isEqualTo(403);
        assertThat(reply.json().get("error").asText()).contains("reserved");
        assertThat(rig.agent.receivedCount()).isZero();
    }

    @Test
    void unreadableCallerIdIs400() {
        assertThat(rig.post(DEV, MESSAGE, from("Team A/dev", dev)).code()).isEqualTo(400);
    }

    @Test
    void staleHashAfterTheSecretWasRecreatedRefusesTheNewTokenUntilTheReconcilerPublishesItsHash() {
        // The Secret was deleted and recreated with a new token; status still carries the old token's hash.
        String renewed = "dev-token-renewed";
        assertThat(rig.post(DEV, MESSAGE, from("team-a/dev", renewed)).code()).isEqualTo(401);
        assertThat(rig.post(DEV, MESSAGE, from("team-a/dev", dev)).code()).isEqualTo(200);

        rig.token("dev", renewed); // the reconciler publishes the new hash

        assertThat(rig.post(DEV, MESSAGE, from("team-a/dev", renewed)).code()).isEqualTo(200);
        assertThat(rig.post(DEV, MESSAGE, from("team-a/dev", dev)).code()).as("the old token is dead").isEqualTo(401);
    }

    @Test
    void cardRequestsFollowTheSameRules() {
        rig.agent.on("/.well-known/agent-card.json", x -> x.reply(200, "application/json", "{\"name\":\"dev\",\"url\":\"http://x/a2a\"}"));
        String card = "/workspaces/team-a/dev/.well-known/agent-card.json";

        assertThat(rig.get(card, from("team-a/helper", helper)).code()).isEqualTo(403);
        assertThat(rig.get(card, from("team-a/qa", dev)).code()).isEqualTo(401);
        assertThat(rig.get(card, from("team-a/qa", qa)).code()).isEqualTo(200);
        assertThat(rig.get(card).code()).as("canvas calls are open by default").isEqualTo(200);
    }

    @Test
    void withACanvasTokenConfiguredCanvasCallsMustPresentItAndAgentsStillNeedTheirOwn() {
        try (ProxyRig closed = new ProxyRig(kube.client(), ProxySettings.builder().canvasToken("canvas-secret\n"))) {
            String path = DEV;
            ProxyRig.Reply none = closed.post(path, MESSAGE);
            assertThat(none.code()).isEqualTo(401);
            assertThat(none.json().get("error").asText()).contains("canvas token");
            assertThat(closed.post(path, MESSAGE, "Authorization", "Bearer wrong").code()).isEqualTo(401);
            assertThat(closed.post(path, MESSAGE, "Authorization", "Bearer canvas-secret").code()).isEqualTo(200);
            assertThat(closed.post(path, MESSAGE, from("team-a/qa", "canvas-secret")).code())
                    .as("the canvas token is not a workspace's").isEqualTo(401);
            assertThat(closed.post(path, MESSAGE, from("team-a/qa", qa)).code()).isEqualTo(200);
        }
    }
}
