package dev.tether.provisioning;

/**
 * What the operator tells every runtime it provisions.
 *
 * @param defaultNamespace where a bare workspace id resolves, so WORKSPACE_ID takes the short form there
 * @param platformUrl      PLATFORM_URL, the one base URL for the registry and dispatch; null injects none
 */
public record ProvisioningSettings(String defaultNamespace, String platformUrl) {
}
