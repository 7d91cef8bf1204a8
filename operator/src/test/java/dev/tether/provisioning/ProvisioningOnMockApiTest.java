package dev.tether.provisioning;

import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Provisioning on the mock API. */
class ProvisioningOnMockApiTest extends ProvisioningContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
