package dev.tether.provisioning;

import dev.tether.api.ProvisioningMode;
import dev.tether.api.ProvisioningStatus;

/**
 * What provisioning found, for the reconciler's status.
 *
 * @param status          status.provisioning
 * @param problem   why the runtime cannot run as described, else null
 * @param available true when at least one replica is available
 */
public record ProvisioningReport(ProvisioningStatus status, Problem problem, boolean available) {
    public static final ProvisioningReport EXTERNAL = new ProvisioningReport(ProvisioningStatus.EXTERNAL, null, false);
    /** spec.template cannot become a Deployment; the message is the API server's when it refused it. */
    public static final String INVALID_TEMPLATE = "InvalidTemplate";
    /** A Deployment or Service of the workspace's name exists and is not the workspace's. */
    public static final String NAME_TAKEN = "NameTaken";

    /** @param reason {@link #INVALID_TEMPLATE} or {@link #NAME_TAKEN}, the Ready condition's reason */
    public record Problem(String reason, String message) {
    }

    public boolean provisioned() {
        return status.mode() == ProvisioningMode.Provisioned;
    }
}
