package dev.tether.provisioning;

import dev.tether.api.ProvisioningMode;
import dev.tether.api.ProvisioningStatus;

/**
 * What provisioning found, for the reconciler's status.
 *
 * @param status          status.provisioning
 * @param invalidTemplate why spec.template cannot run (the API server's words when it refused it), else null
 * @param available       true when at least one replica is available
 */
public record ProvisioningReport(ProvisioningStatus status, String invalidTemplate, boolean available) {
    public static final ProvisioningReport EXTERNAL = new ProvisioningReport(ProvisioningStatus.EXTERNAL, null, false);

    public boolean provisioned() {
        return status.mode() == ProvisioningMode.Provisioned;
    }
}
