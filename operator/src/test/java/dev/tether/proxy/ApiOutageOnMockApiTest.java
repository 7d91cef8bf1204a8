package dev.tether.proxy;

import dev.tether.testing.KubeTier;
import dev.tether.testing.MockKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An API outage on the mock tier: the embedded API server stops and restarts on the same port, data kept. */
class ApiOutageOnMockApiTest extends ApiOutageContract {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }

    @Override
    AutoCloseable outage() {
        return kube.outage();
    }
}
