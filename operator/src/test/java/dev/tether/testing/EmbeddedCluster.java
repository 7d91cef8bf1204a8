package dev.tether.testing;

import dev.tether.embedded.EmbeddedKubeApi;
import dev.tether.embedded.MergePatchConformingDispatcher;
import dev.tether.kube.KubeClients;
import dev.tether.kube.WorkspaceCrd;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The embedded API reached as production reaches a cluster: from its kubeconfig through the one client factory,
 * with the Workspace CRD installed. Tests connect through a {@link TcpRelay}, so they can take the API away
 * ({@link #outage()}) while its store, like etcd, keeps every resource; benchmarks connect directly.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private final EmbeddedKubeApi api;
    private final TcpRelay relay;
    private final KubernetesClient client;

    /** @param cuttable through a relay that {@link #outage()} cuts; false for benchmarks, which must not measure a relay */
    public EmbeddedCluster(MergePatchConformingDispatcher store, boolean cuttable) {
        api = new EmbeddedKubeApi(store, 0);
        relay = cuttable ? new TcpRelay("127.0.0.1", api.port()) : null;
        Config config = Config.fromKubeconfig(api.kubeconfig());
        client = KubeClients.forConfig(relay == null ? config
                : new ConfigBuilder(config).withMasterUrl("http://127.0.0.1:" + relay.port()).build());
        WorkspaceCrd.install(client);
    }

    public KubernetesClient client() {
        return client;
    }

    /** A kubeconfig for another process (a benchmark's child JVM), straight to the API, past any relay. */
    public String kubeconfig() {
        return api.kubeconfig();
    }

    /** Cuts every connection to the API until the returned handle is closed. */
    public AutoCloseable outage() {
        if (relay == null) {
            throw new IllegalStateException("this embedded cluster was made without a relay to cut");
        }
        return relay.outage();
    }

    @Override
    public void close() {
        client.close();
        if (relay != null) {
            relay.close();
        }
        api.close();
    }
}
