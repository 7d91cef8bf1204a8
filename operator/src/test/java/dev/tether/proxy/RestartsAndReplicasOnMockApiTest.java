package dev.tether.proxy;

import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Restarts and replicas on the mock API. */
class RestartsAndReplicasOnMockApiTest extends RestartsAndReplicasContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
