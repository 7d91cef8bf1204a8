package dev.tether.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.WorkspaceStatus;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.Workspaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The embedded API applies JSON merge patches as RFC 7386 and the real API server do (fabric8's mock appends arrays). */
class MergePatchConformanceTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Test
    void arraysAreReplacedNotAppended() {
        Workspaces ws = new Workspaces(kube.client(), "team-a");
        ws.create("a");
        ws.patchStatus("a", "{\"conditions\": [{\"type\": \"Live\", \"status\": \"True\"}]}");
        ws.patchStatus("a", "{\"conditions\": [{\"type\": \"Live\", \"status\": \"False\", \"reason\": \"HeartbeatStale\"}]}");

        assertThat(ws.get("a").getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.reason()).isEqualTo("HeartbeatStale"));
    }

    @Test
    void nullRemovesAndNestedObjectsMerge() {
        Workspaces ws = new Workspaces(kube.client(), "team-a");
        ws.create("a");
        ws.patchStatus("a", "{\"runtime\": {\"capabilities\": {\"session\": true, \"retry\": true}, \"idleTimeoutSeconds\": 600}}");
        ws.patchStatus("a", "{\"runtime\": {\"capabilities\": {\"retry\": null}, \"idleTimeoutSeconds\": null, \"state\": \"wedged\"}}");

        WorkspaceStatus status = ws.get("a").getStatus();
        assertThat(status.getRuntime().capabilities()).containsExactly(java.util.Map.entry("session", true));
        assertThat(status.getRuntime().idleTimeoutSeconds()).isNull();
        assertThat(status.getRuntime().state()).isEqualTo("wedged");
    }

    @Test
    void mergingIntoAResourceWithoutStatusCreatesIt() {
        Workspaces ws = new Workspaces(kube.client(), "team-a");
        ws.create("a");
        ws.patchStatus("a", "{\"phase\": \"Pending\"}");
        assertThat(ws.get("a").getStatus().getPhase()).hasToString("Pending");
    }
}
