package dev.tether.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.EditReplacePatchable;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/**
 * How both status writers write: a patch of their own fields on the status subresource, with no resourceVersion.
 * It never conflicts and never erases the other writer's fields. The reconciler sends a JSON merge patch (a field
 * is removed only by sending it as an explicit null); the registry endpoints replace their fields whole.
 */
public final class StatusPatches {
    private static final int UNPROCESSABLE = 422;

    private StatusPatches() {
    }

    /** @param statusFields the writer's fields, serialised as they are (nulls included: they clear) */
    public static Workspace merge(KubernetesClient client, String namespace, String name, Object statusFields) {
        String patch = client.getKubernetesSerialization().asJson(Map.of("status", statusFields));
        return stub(client, namespace, name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    /**
     * Replaces each of {@code fields} in status whole, in one request: a JSON Patch {@code add} of each member, which
     * replaces an existing one, so no key survives that the new value lacks, whoever wrote it (a merge patch computed
     * against what this replica last saw would keep a key only another replica wrote). JSON Patch cannot add below a
     * status that does not exist yet (the API server answers 422); then, and only then, a merge patch creates status
     * with exactly these fields, there being nothing to merge them into.
     */
    public static Workspace replace(KubernetesClient client, String namespace, String name, ObjectNode fields) {
        ArrayNode operations = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<String, JsonNode> field : fields.properties()) {
            operations.addObject().put("op", "add").put("path", "/status/" + field.getKey()).set("value", field.getValue());
        }
        try {
            return stub(client, namespace, name).patch(PatchContext.of(PatchType.JSON), operations.toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() != UNPROCESSABLE) {
                throw e;
            }
            return merge(client, namespace, name, fields);
        }
    }

    /**
     * The Workspace addressed through a stub: withName(..).patch(..) first GETs the whole Workspace, which would
     * double the API requests of every status write for an object the patch does not need.
     */
    private static EditReplacePatchable<Workspace> stub(KubernetesClient client, String namespace, String name) {
        Workspace target = new Workspace();
        target.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        return client.resource(target).subresource("status");
    }
}
