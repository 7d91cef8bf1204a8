package dev.tether.testing;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The API a contract test runs on: {@link MockKubeApi} or {@link RealKubeApi}, each with the
 * namespace its Workspaces live in. A contract asks for one; each tier's subclass hands over its own.
 */
public interface KubeTier {
    KubernetesClient client();

    String namespace();
}
