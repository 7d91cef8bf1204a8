package dev.tether.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
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

    /**
     * Few request retries (about 0.7 s of backoff in all): a heartbeat answers 503 promptly during an
     * API outage instead of holding the runtime's request, and JOSDK retries reconciles on its own.
     */
    static final int REQUEST_RETRIES = 3;

    public static KubernetesClient forConfig(Config config) {
        Config tuned = new ConfigBuilder(config).withRequestRetryBackoffLimit(REQUEST_RETRIES).build();
        return new KubernetesClientBuilder()
                .withConfig(tuned)
                .withHttpClientFactory(new OkHttpClientFactory())
                .build();
    }
}
