package dev.tether.embedded;

import dev.tether.kube.KubeClients;
import dev.tether.kube.WorkspaceCrd;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * An in-process Kubernetes API (fabric8's mock server in CRUD mode) with the Workspace CRD installed.
 * The dev role runs on it, and so does the mock-server test tier, through the same client factory as
 * production.
 */
public final class EmbeddedKubeApi implements AutoCloseable {
    /** The mock server logs every request through java.util.logging at INFO; held strongly so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final MergePatchConformingDispatcher store;
    private final int boundPort;
    private KubernetesMockServer server;
    private final KubernetesClient client;

    public EmbeddedKubeApi() {
        this(new MergePatchConformingDispatcher());
    }

    /** @param dispatcher the CRUD store; tests pass a subclass that counts requests */
    public EmbeddedKubeApi(MergePatchConformingDispatcher dispatcher) {
        this(dispatcher, 0);
    }

    public EmbeddedKubeApi(MergePatchConformingDispatcher dispatcher, int port) {
        store = dispatcher;
        server = serve(port);
        boundPort = server.getPort();
        client = KubeClients.forConfig(server.createClient().getConfiguration());
        WorkspaceCrd.install(client);
    }

    private KubernetesMockServer serve(int port) {
        KubernetesMockServer mock = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), store, false);
        mock.init(InetAddress.getLoopbackAddress(), port);
        return mock;
    }

    /**
     * Takes the API away until the returned handle is closed; the stored resources survive, as etcd's
     * would. For outage tests: clients see connection failures, informers reconnect afterwards.
     */
    public AutoCloseable outage() {
        server.destroy();
        return () -> server = serve(boundPort);
    }

    /** A client configured like production's, talking to this API. */
    public KubernetesClient client() {
        return client;
    }

    public int port() {
        return boundPort;
    }

    /** A kubeconfig a person (kubectl) or another process can use to reach this API. */
    public String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: tether-dev
                  cluster:
                    server: http://127.0.0.1:%d
                contexts:
                - name: tether-dev
                  context:
                    cluster: tether-dev
                    namespace: default
                    user: tether-dev
                current-context: tether-dev
                users:
                - name: tether-dev
                  user:
                    token: dev
                """.formatted(port());
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
