package dev.tether.heartbeat;

import dev.tether.testing.MockKubeApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Parallel heartbeats, reconciles and spec edits on the mock API. */
class HeartbeatConcurrencyOnMockApiTest extends HeartbeatConcurrencyContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    KubernetesClient client() {
        return kube.client();
    }

    @Override
    String namespace() {
        return "team-a";
    }
}
