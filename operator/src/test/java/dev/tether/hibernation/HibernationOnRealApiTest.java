package dev.tether.hibernation;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hibernation on a real kube-apiserver, with the node stand-in running the runtimes. */
@RealApiTest
class HibernationOnRealApiTest extends HibernationContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }
}
