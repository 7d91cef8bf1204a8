package dev.tether.proxy;

import dev.tether.testing.MockKubeApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Restarts and replicas on the mock API. */
class RestartsAndReplicasOnMockApiTest extends RestartsAndReplicasContract {
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
