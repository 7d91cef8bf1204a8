package dev.tether.kube;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/**
 * How both status writers write: a JSON merge patch of their own fields on the status subresource,
 * with no resourceVersion. It never conflicts and never erases the other writer's fields; a field is
 * removed only by sending it as an explicit null.
 */
public final class StatusPatches {
    private StatusPatches() {
    }

    /** @param statusFields the writer's fields, serialised as they are (nulls included: they clear) */
    public static Workspace merge(KubernetesClient client, String namespace, String name, Object statusFields) {
        String patch = client.getKubernetesSerialization().asJson(Map.of("status", statusFields));
        // Addressed through a stub: withName(..).patch(..) first GETs the whole Workspace, which would
        // double the API requests of every status write for an object the patch does not need.
        Workspace target = new Workspace();
        target.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        return client.resource(target).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
}
