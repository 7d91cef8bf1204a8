package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy on a real kube-apiserver: the status fields it reads survive the CRD's schema (pruning),
 * status merge patches reach its namespace-scoped informer, and the policy it enforces follows them.
 */
@RealApiTest
class ProxyOnRealApiTest {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();
    ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().namespaces(List.of(kube.namespace()))
                .defaultIdleTimeout(Duration.ofSeconds(1)).allowedRegisteredNetworks(List.of("127.0.0.0/8")), kube.namespace());
        rig.agent.on("/think", rig.agent.answerAfter(Duration.ofMillis(1500)));
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void policyWrittenToStatusOnARealApiServerGovernsDispatches() {
        rig.workspace("thinker", null);
        String path = "/workspaces/" + kube.namespace() + "/thinker/a2a";
        assertThat(rig.post(path, MESSAGE).code()).isEqualTo(503); // no URL yet

        rig.patchStatus("thinker", "{\"registration\": {\"url\": \"" + rig.agent.url("/think") + "\"}}");
        ProxyRig.Reply cut = rig.post(path, MESSAGE);
        assertThat(cut.code()).isEqualTo(503);
        assertThat(cut.json().get("source").asText()).isEqualTo("Default");

        rig.patchStatus("thinker", "{\"runtime\": {\"idleTimeoutSeconds\": 3}, "
                + "\"dispatch\": {\"idleTimeoutSeconds\": 3, \"source\": \"Runtime\", \"maxDurationSeconds\": 1}}");
        assertThat(rig.post("/workspaces/thinker/a2a", MESSAGE).code()).isEqualTo(200);
        rig.workspace("planner", null);
        rig.token("planner", "planner-token");
        assertThat(rig.post(path, MESSAGE, ProxyRig.from(kube.namespace() + "/planner", "planner-token")).code()).isEqualTo(504);
    }

    @Test
    void healthyHeartbeatsRecordedOnARealApiServerKeepASilentDispatchAlive() throws Exception {
        rig.agent.on("/slow", rig.agent.answerAfter(Duration.ofSeconds(4))); // twice the window: heartbeats must carry it
        rig.workspace("thinker", "/slow");
        rig.patchStatus("thinker", "{\"runtime\": {\"state\": \"wedged\"}, \"dispatch\": {\"idleTimeoutSeconds\": 2, \"source\": \"Runtime\"}}");
        try (var runtime = java.util.concurrent.Executors.newSingleThreadScheduledExecutor()) {
            runtime.scheduleAtFixedRate(() -> rig.heartbeat("thinker", ""), 300, 300, java.util.concurrent.TimeUnit.MILLISECONDS);
            ProxyRig.Reply reply = rig.post("/workspaces/thinker/a2a", MESSAGE);
            runtime.shutdownNow();
            assertThat(reply.code()).isEqualTo(200);
        }
    }
}
