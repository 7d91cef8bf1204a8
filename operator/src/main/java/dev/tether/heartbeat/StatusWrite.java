package dev.tether.heartbeat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.Workspace;
import dev.tether.kube.StatusPatches;
import io.fabric8.kubernetes.client.KubernetesClient;

/** How a registry endpoint's status fields reach the API server. */
@FunctionalInterface
interface StatusWrite {
    /** @param status the endpoint's own status fields, as they must be stored */
    void write(Workspace ws, ObjectNode status);

    /** The production write: a status patch through {@code client}. */
    static StatusWrite through(KubernetesClient client) {
        return (ws, status) -> StatusPatches.merge(client, ws.getMetadata().getNamespace(), ws.getMetadata().getName(), status);
    }
}
