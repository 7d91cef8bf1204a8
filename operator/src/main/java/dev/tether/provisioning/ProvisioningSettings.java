package dev.tether.provisioning;

/**
 * What the operator tells every runtime it provisions, and where it learns whether one is busy.
 *
 * @param defaultNamespace where a bare workspace id resolves, so WORKSPACE_ID takes the short form there
 * @param platformUrl      PLATFORM_URL, the one base URL for the registry and dispatch; null injects none
 * @param activityNamespace where the proxies' activity Leases are, which keep a runtime from hibernating
 */
public record ProvisioningSettings(String defaultNamespace, String platformUrl, String activityNamespace) {
}
