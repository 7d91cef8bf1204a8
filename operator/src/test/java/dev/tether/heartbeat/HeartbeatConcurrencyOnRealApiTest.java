package dev.tether.heartbeat;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Parallel heartbeats, reconciles and spec edits on a real kube-apiserver. */
@RealApiTest
class HeartbeatConcurrencyOnRealApiTest extends HeartbeatConcurrencyContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
