package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.DispatchSource;
import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The reconciler lifecycle on the mock API, plus what only the mock can count: the writes. */
class ReconcilerOnMockApiTest extends ReconcilerLifecycleContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }

    @Test
    void unchangedWorkspaceCausesNoStatusWrites() {
        workspaces.create("researcher");
        await().atMost(WAIT).until(() -> dispatch("researcher") != null
                && dispatch("researcher").source() == DispatchSource.Default);
        long settled = kube.statusPatches(namespace(), "researcher");
        assertThat(settled).as("the first reconcile writes status").isGreaterThanOrEqualTo(1);

        // A quiet Workspace must stay quiet: no periodic rewrite, no hot loop.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> kube.statusPatches(namespace(), "researcher") == settled);
    }

    /** Only the mock stores data that is not base64 (a real API server refuses it): the token reads as missing, never as an error. */
    @Test
    void aTokenSecretWhoseTokenIsNotBase64GetsANewOne() {
        breakTokenSecretAndAwaitItsRepair("{\"token\": \"%%% not base64 %%%\", \"note\": \"a2VwdA==\"}");
    }
}
