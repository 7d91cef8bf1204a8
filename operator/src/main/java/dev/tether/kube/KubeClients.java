package dev.tether.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory;

/**
 * The one way Tether builds a Kubernetes client, in production and in tests alike.
 * The HTTP stack is chosen explicitly (OkHttp) instead of left to classpath priority.
 */
public final class KubeClients {
    private KubeClients() {
    }

    /** The standard connection: in-cluster, else KUBECONFIG / ~/.kube/config. */
    public static KubernetesClient standard() {
        return forConfig(Config.autoConfigure(null));
    }

    public static KubernetesClient forKubeconfig(String kubeconfigYaml) {
        return forConfig(Config.fromKubeconfig(kubeconfigYaml));
    }

    public static KubernetesClient forConfig(Config config) {
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new OkHttpClientFactory())
                .build();
    }
}
