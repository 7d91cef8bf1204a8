package dev.tether.reconciler;

import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same reconciler lifecycle on a real kube-apiserver. */
@RealApiTest
class ReconcilerOnRealApiTest extends ReconcilerLifecycleContract {
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
