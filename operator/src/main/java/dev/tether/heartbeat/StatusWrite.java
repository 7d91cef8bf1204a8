package dev.tether.heartbeat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.Workspace;
import dev.tether.kube.StatusPatches;
import io.fabric8.kubernetes.client.KubernetesClient;

/** How a registry endpoint's status fields reach the API server. */
@FunctionalInterface
interface StatusWrite {
    /** @param status the endpoint's own status fields, each as it must be stored, whole */
    void write(Workspace ws, ObjectNode status);

    /** The production write: each field replaced whole in status, through {@code client}. */
    static StatusWrite through(KubernetesClient client) {
        return (ws, status) -> StatusPatches.replace(client, ws.getMetadata().getNamespace(), ws.getMetadata().getName(), status);
    }
}
