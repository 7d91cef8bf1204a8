package dev.tether.proxy;

import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Capacity across replicas on the mock API. */
class CapacityAcrossReplicasOnMockApiTest extends CapacityAcrossReplicasContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
