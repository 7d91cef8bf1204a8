package dev.tether.heartbeat;

import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Parallel heartbeats, reconciles and spec edits on the mock API. */
class HeartbeatConcurrencyOnMockApiTest extends HeartbeatConcurrencyContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
