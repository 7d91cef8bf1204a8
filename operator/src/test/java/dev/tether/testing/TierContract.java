package dev.tether.testing;

import io.fabric8.kubernetes.client.KubernetesClient;

/** A contract run on both API tiers, the mock's and a real kube-apiserver's: each subclass names its tier. */
public abstract class TierContract {
    /** The API this run uses. */
    protected abstract KubeTier kube();

    /** The client every part of the run uses. */
    protected KubernetesClient client() {
        return kube().client();
    }

    protected String namespace() {
        return kube().namespace();
    }
}
