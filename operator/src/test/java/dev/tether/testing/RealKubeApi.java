package dev.tether.testing;

import dev.tether.kube.KubeClients;
import dev.tether.kube.WorkspaceCrd;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A real kube-apiserver (fabric8 kube-api-test, binaries from ../shared/tools/kube-apiserver.sh),
 * started once per test JVM with the Workspace CRD installed. Each test gets its own namespace.
 * Missing binaries skip the tests on a laptop but fail them under CI=true, so CI cannot go green
 * without the real-API tier.
 */
public final class RealKubeApi implements KubeTier, BeforeAllCallback, BeforeEachCallback {
    public static final String VERSION = "1.20.2";

    private static KubeAPIServer server;
    private static String kubeconfig;

    private KubernetesClient client;
    private String namespace;

    @Override
    public void beforeAll(ExtensionContext context) {
        startOnce();
        if (client == null) {
            client = KubeClients.forConfig(Config.fromKubeconfig(kubeconfig));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String test = context.getRequiredTestMethod().getName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        namespace = "t-" + test.substring(0, Math.min(40, test.length())) + "-" + UUID.randomUUID().toString().substring(0, 6);
        client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    /** A namespace created for the current test. */
    @Override
    public String namespace() {
        return namespace;
    }

    public String kubeconfig() {
        return kubeconfig;
    }

    private static synchronized void startOnce() {
        if (server != null) {
            return;
        }
        Path dir = binaryDir();
        if (!Files.isExecutable(dir.resolve("k8s").resolve(VERSION + "-linux-amd64").resolve("kube-apiserver"))) {
            String message = "no kube-apiserver " + VERSION + " under " + dir + "; build it with ../shared/tools/kube-apiserver.sh (.ci/run does)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            throw new TestAbortedException(message);
        }
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(dir.toString())
                .withApiServerVersion(VERSION)
                .withUpdateKubeConfig(false)
                .build());
        server.start();
        kubeconfig = server.getKubeConfigYaml();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "kube-apiserver-stop"));
        try (KubernetesClient admin = KubeClients.forConfig(Config.fromKubeconfig(kubeconfig))) {
            WorkspaceCrd.install(admin);
        }
    }

    private static Path binaryDir() {
        String env = System.getenv("KUBE_API_TEST_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".kubeapitest");
    }
}
