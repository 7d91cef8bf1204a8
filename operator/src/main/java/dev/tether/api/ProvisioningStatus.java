package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the reconciler observed of the runtime it runs. Nulls are written, so a merge patch clears what no longer applies. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ProvisioningStatus(
        @JsonPropertyDescription("Provisioned: Tether runs the runtime from spec.template (a Deployment and a Service named after the workspace). "
                + "External: someone else runs it (spec.url or a registered URL).")
        ProvisioningMode mode,

        @JsonPropertyDescription("The image of the runtime's first container. Provisioned workspaces only.")
        String image,

        @JsonPropertyDescription("Replicas the Deployment asks for: 1, or 0 while suspended or hibernated. Provisioned workspaces only.")
        Integer replicas,

        @JsonPropertyDescription("Replicas whose pods are ready. Provisioned workspaces only.")
        Integer readyReplicas) {

    public static final ProvisioningStatus EXTERNAL = new ProvisioningStatus(ProvisioningMode.External, null, null, null);
}
