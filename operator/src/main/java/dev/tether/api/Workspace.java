package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** One A2A agent runtime: what GitOps declares (spec) and what Tether observed and decided (status). */
@Group(Workspace.GROUP)
@Version(Workspace.VERSION)
@Kind("Workspace")
@Plural("workspaces")
@Singular("workspace")
@ShortNames("ws")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Idle timeout", jsonPath = ".status.dispatch.idleTimeoutSeconds", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Source", jsonPath = ".status.dispatch.source", type = Type.STRING)
@AdditionalPrinterColumn(name = "Last heartbeat", jsonPath = ".status.lastHeartbeatTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.runtime.activeTasks", type = Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Limit", jsonPath = ".spec.maxConcurrentTasks", type = Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".spec.url", type = Type.STRING, priority = 1,
        getDescription = "The URL set in the spec; it wins over a registered one")
@AdditionalPrinterColumn(name = "Registered URL", jsonPath = ".status.registration.url", type = Type.STRING, priority = 1,
        getDescription = "The URL the runtime registered, used when the spec sets none")
@AdditionalPrinterColumn(name = "Provisioning", jsonPath = ".status.provisioning.mode", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Image", jsonPath = ".status.provisioning.image", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Ready replicas", jsonPath = ".status.provisioning.readyReplicas", type = Type.INTEGER, priority = 1)
public class Workspace extends CustomResource<WorkspaceSpec, WorkspaceStatus> implements Namespaced {
    public static final String GROUP = "tether.dev";
    public static final String VERSION = "v1alpha1";
    public static final String CRD_NAME = "workspaces." + GROUP;

    // Overridden only to carry the descriptions `kubectl explain workspace` shows.
    @Override
    @JsonPropertyDescription("Desired state, owned by the user or GitOps; Tether never writes it.")
    public WorkspaceSpec getSpec() {
        return super.getSpec();
    }

    /**
     * The URL dispatches go to: spec.url, else (for a workspace Tether does not provision) the URL the runtime
     * registered; null when neither applies. A provisioned workspace without spec.url is reached at its ready
     * endpoints instead: a URL its pods register names a pod, not the workspace.
     */
    public String endpoint() {
        WorkspaceSpec spec = getSpec();
        if (spec != null && spec.getUrl() != null && !spec.getUrl().isBlank()) {
            return spec.getUrl();
        }
        if (provisioned()) {
            return null;
        }
        WorkspaceStatus status = getStatus();
        String registered = status == null || status.getRegistration() == null ? null : status.getRegistration().url();
        return registered == null || registered.isBlank() ? null : registered;
    }

    /** True when Tether runs this workspace's runtime from spec.template. */
    public boolean provisioned() {
        return getSpec() != null && getSpec().getTemplate() != null;
    }

    /** True when spec.suspend asks for zero replicas. */
    public boolean suspended() {
        return getSpec() != null && Boolean.TRUE.equals(getSpec().getSuspend());
    }

    @Override
    @JsonPropertyDescription("Observed state, written by Tether's heartbeat endpoint and reconciler.")
    public WorkspaceStatus getStatus() {
        return super.getStatus();
    }
}
