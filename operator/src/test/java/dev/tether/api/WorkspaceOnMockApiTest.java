package dev.tether.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.MockKubeApi;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The mock API tier behaves like the API server where Tether relies on it. */
class WorkspaceOnMockApiTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    private Workspace create(String name) {
        Workspace ws = new Workspace();
        ws.getMetadata().setName(name);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl("http://agent:8000");
        return kube.client().resource(ws).inNamespace("team-a").create();
    }

    @Test
    void statusMergePatchesFromTwoWritersKeepEachOthersFields() {
        create("researcher");
        var ws = kube.client().resources(Workspace.class).inNamespace("team-a").withName("researcher");

        ws.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"status": {"lastHeartbeatTime": "2026-11-24T05:00:00Z", "runtime": {"idleTimeoutSeconds": 600}}}""");
        ws.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"status": {"phase": "Online", "dispatch": {"idleTimeoutSeconds": 600, "source": "Runtime"}}}""");

        WorkspaceStatus status = ws.get().getStatus();
        assertThat(status.getRuntime().idleTimeoutSeconds()).isEqualTo(600);
        assertThat(status.getLastHeartbeatTime()).isEqualTo("2026-11-24T05:00:00Z");
        assertThat(status.getPhase()).isEqualTo(WorkspacePhase.Online);
        assertThat(status.getDispatch().source()).isEqualTo(DispatchSource.Runtime);
        assertThat(kube.statusPatches("team-a", "researcher")).isEqualTo(2);
    }

    @Test
    void statusWritesDoNotBumpGenerationButSpecEditsDo() {
        Workspace created = create("researcher");
        var ws = kube.client().resources(Workspace.class).inNamespace("team-a").withName("researcher");

        ws.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\": {\"phase\": \"Pending\"}}");
        assertThat(ws.get().getMetadata().getGeneration()).isEqualTo(created.getMetadata().getGeneration());

        ws.edit(w -> {
            w.getSpec().setRuntime("langgraph");
            return w;
        });
        assertThat(ws.get().getMetadata().getGeneration()).isGreaterThan(created.getMetadata().getGeneration());
    }
}
