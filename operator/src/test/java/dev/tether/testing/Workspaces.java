package dev.tether.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceSpec;
import dev.tether.kube.StatusPatches;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.Consumer;

/** Test shorthand for creating Workspaces and writing status the way the heartbeat endpoint does. */
public record Workspaces(KubernetesClient client, String namespace) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Workspace create(String name, Consumer<WorkspaceSpec> spec) {
        Workspace ws = new Workspace();
        ws.getMetadata().setName(name);
        ws.getMetadata().setNamespace(namespace);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl("http://" + name + ".agents.svc:8000/a2a");
        spec.accept(ws.getSpec());
        return client.resource(ws).create();
    }

    public Workspace create(String name) {
        return create(name, s -> { });
    }

    public Resource<Workspace> resource(String name) {
        return client.resources(Workspace.class).inNamespace(namespace).withName(name);
    }

    public Workspace get(String name) {
        return resource(name).get();
    }

    /** Merge-patches status with raw JSON, e.g. {@code {"runtime": {"state": "wedged"}}}. */
    public Workspace patchStatus(String name, String statusJson) {
        try {
            // Plain Jackson: fabric8's Serialization would turn "" into null on the way.
            return StatusPatches.merge(client, namespace, name, JSON.readTree(statusJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + statusJson, e);
        }
    }

    /** Changes the spec as {@code kubectl edit} or a GitOps apply would: no lock on the status writers' resourceVersion. */
    public void editSpec(String name, Consumer<WorkspaceSpec> edit) {
        WorkspaceSpec spec = get(name).getSpec();
        JsonNode before = JSON.valueToTree(spec);
        edit.accept(spec);
        ObjectNode patch = JSON.createObjectNode();
        patch.set("spec", MergePatches.replacing(before, JSON.valueToTree(spec)));
        resource(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }
}
