package dev.tether.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchStatus;
import dev.tether.api.Workspace;
import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A status write is one request that changes only the writer's fields. */
class StatusPatchesTest extends StatusPatchesContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }

    @Test
    void aStatusWriteIsOnePatchAndNoRead() {
        Workspaces workspaces = new Workspaces(kube.client(), "team-a");
        workspaces.create("w", spec -> spec.setUrl("http://agent:8080/a2a"));
        workspaces.patchStatus("w", "{\"phase\": \"Online\"}");
        int before = kube.requests().size();

        Workspace written = StatusPatches.merge(kube.client(), "team-a", "w",
                Map.of("dispatch", new DispatchStatus(45, DispatchSource.Runtime, false, 600)));

        assertThat(kube.requests().subList(before, kube.requests().size()))
                .extracting(MockKubeApi.Request::method).containsExactly("PATCH");
        assertThat(written.getStatus().getDispatch().idleTimeoutSeconds()).isEqualTo(45);
        assertThat(written.getStatus().getPhase()).hasToString("Online"); // the other writer's field survives
    }

    @Test
    void writingTheStatusOfAWorkspaceThatIsGoneIsA404() {
        assertThatThrownBy(() -> StatusPatches.merge(kube.client(), "team-a", "gone", Map.of("phase", "Online")))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }
}
