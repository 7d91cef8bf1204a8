package dev.tether.proxy;

import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The seed runtime's wire sequences on the mock API. */
class SeedRuntimeOnMockApiTest extends SeedRuntimeContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
