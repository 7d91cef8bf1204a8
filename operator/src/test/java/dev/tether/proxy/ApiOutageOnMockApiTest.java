package dev.tether.proxy;

import dev.tether.testing.MockKubeApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An API outage on the mock tier: the embedded API server stops and restarts on the same port, data kept. */
class ApiOutageOnMockApiTest extends ApiOutageContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    KubernetesClient client() {
        return kube.client();
    }

    @Override
    String namespace() {
        return "team-a";
    }

    @Override
    AutoCloseable outage() {
        return kube.api().outage();
    }
}
