package dev.tether.proxy;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Capacity across replicas on a real kube-apiserver. */
@RealApiTest
class CapacityAcrossReplicasOnRealApiTest extends CapacityAcrossReplicasContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
