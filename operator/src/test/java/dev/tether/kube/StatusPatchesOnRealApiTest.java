package dev.tether.kube;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Status writes on a real kube-apiserver, which refuses a JSON Patch below a status that does not exist yet. */
@RealApiTest
class StatusPatchesOnRealApiTest extends StatusPatchesContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
