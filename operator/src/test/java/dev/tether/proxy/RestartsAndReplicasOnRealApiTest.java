package dev.tether.proxy;

import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Restarts and replicas on a real kube-apiserver. */
@RealApiTest
class RestartsAndReplicasOnRealApiTest extends RestartsAndReplicasContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    KubernetesClient client() {
        return kube.client();
    }

    @Override
    String namespace() {
        return kube.namespace();
    }
}
