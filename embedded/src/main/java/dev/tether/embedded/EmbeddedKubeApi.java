package dev.tether.embedded;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * An in-process Kubernetes API: fabric8's mock server in CRUD mode, made to answer as a real API server does where
 * Tether and kubectl notice ({@link MergePatchConformingDispatcher}). The dev role runs on it, and so does the
 * mock-API test tier. It hands out a kubeconfig, never a client: callers connect as they would to any cluster.
 */
public final class EmbeddedKubeApi implements AutoCloseable {
    /** The mock server logs every request through java.util.logging at INFO; held strongly so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;

    public EmbeddedKubeApi() {
        this(new MergePatchConformingDispatcher(), 0);
    }

    /**
     * @param dispatcher the CRUD store; tests pass a subclass that records requests
     * @param port       0 picks a free one
     */
    public EmbeddedKubeApi(MergePatchConformingDispatcher dispatcher, int port) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
    }

    public int port() {
        return server.getPort();
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
        server.destroy();
    }
}
