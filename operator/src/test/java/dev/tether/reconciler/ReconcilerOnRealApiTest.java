package dev.tether.reconciler;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same reconciler lifecycle on a real kube-apiserver. */
@RealApiTest
class ReconcilerOnRealApiTest extends ReconcilerLifecycleContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
