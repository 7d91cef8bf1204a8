package dev.tether.proxy;

import dev.tether.kube.KubeClients;
import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import dev.tether.testing.TcpRelay;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An API outage on a real kube-apiserver. The server is shared by every real-API test in the JVM and
 * kube-api-test restarts it only on a new port, so the outage is a network one: the stack reaches the
 * server through a {@link TcpRelay} that cuts every connection for the outage's length.
 */
@RealApiTest
class ApiOutageOnRealApiTest extends ApiOutageContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();
    TcpRelay relay;
    KubernetesClient relayed;

    /** The relayed client, made on first use (the contract's set-up asks for it). */
    @Override
    protected KubernetesClient client() {
        if (relayed == null) {
            URI server = URI.create(kube.client().getConfiguration().getMasterUrl());
            relay = new TcpRelay(server.getHost(), server.getPort());
            relayed = KubeClients.forConfig(new ConfigBuilder(kube.client().getConfiguration())
                    .withMasterUrl("https://" + server.getHost() + ":" + relay.port()).build());
        }
        return relayed;
    }

    @Override
    void release() {
        relayed.close();
        relay.close();
    }

    @Override
    protected KubeTier kube() {
        return kube;
    }

    @Override
    AutoCloseable outage() {
        return relay.outage();
    }
}
