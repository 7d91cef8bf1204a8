package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Observed state. Two writers with disjoint fields, each patching only its own:
 * the heartbeat endpoint ({@code lastHeartbeatTime}, {@code runtime}, {@code registration}) and the
 * reconciler ({@code observedGeneration}, {@code phase}, {@code conditions}, {@code dispatch}, {@code tokenSha256}, {@code provisioning}, {@code hibernation}).
 * NON_NULL matters: a null field would erase the other writer's data in a merge patch.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkspaceStatus {
    @JsonPropertyDescription("The metadata.generation of the spec the reconciler last acted on. Written by the reconciler.")
    private Long observedGeneration;

    @JsonPropertyDescription("Summary of the workspace's state: Pending (never heard from), Online, Degraded (wedged or failing), Offline (heartbeat stale), Hibernated (scaled to zero while idle) or Waking (scaled up for a dispatch). Written by the reconciler.")
    private WorkspacePhase phase;

    @JsonPropertyDescription("Ready, Live and Degraded conditions. Written by the reconciler.")
    private List<Condition> conditions;

    @JsonPropertyDescription("The effective dispatch policy every proxy replica enforces. Written by the reconciler.")
    private DispatchStatus dispatch;

    @JsonPropertyDescription("SHA-256 (hex) of the workspace's token, so proxies can authenticate this workspace as a caller without reading Secrets. Written by the reconciler.")
    private String tokenSha256;

    @JsonPropertyDescription("Whether Tether runs the runtime and, if so, how its Deployment is doing. Written by the reconciler.")
    private ProvisioningStatus provisioning;

    @JsonPropertyDescription("Whether a provisioned workspace's runtime is awake, hibernated or waking. Written by the reconciler.")
    private HibernationStatus hibernation;

    @JsonPropertyDescription("When the runtime's last accepted heartbeat was recorded (RFC 3339). Refreshed at most every heartbeat status interval when nothing else changed. Written by the heartbeat endpoint.")
    private String lastHeartbeatTime;

    @JsonPropertyDescription("What the runtime reported in its heartbeats. Written by the heartbeat endpoint.")
    private RuntimeStatus runtime;

    @JsonPropertyDescription("What the runtime registered about itself (URL, agent card). Written by the heartbeat endpoint.")
    private RegistrationStatus registration;

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public WorkspacePhase getPhase() { return phase; }
    public void setPhase(WorkspacePhase phase) { this.phase = phase; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public DispatchStatus getDispatch() { return dispatch; }
    public void setDispatch(DispatchStatus dispatch) { this.dispatch = dispatch; }
    public String getTokenSha256() { return tokenSha256; }
    public void setTokenSha256(String tokenSha256) { this.tokenSha256 = tokenSha256; }
    public ProvisioningStatus getProvisioning() { return provisioning; }
    public void setProvisioning(ProvisioningStatus provisioning) { this.provisioning = provisioning; }
    public HibernationStatus getHibernation() { return hibernation; }
    public void setHibernation(HibernationStatus hibernation) { this.hibernation = hibernation; }
    public String getLastHeartbeatTime() { return lastHeartbeatTime; }

    /** {@link #getLastHeartbeatTime()} as an instant; null when absent or unparsable. */
    public Instant lastHeartbeat() {
        try {
            return lastHeartbeatTime == null ? null : Instant.parse(lastHeartbeatTime);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
    public void setLastHeartbeatTime(String lastHeartbeatTime) { this.lastHeartbeatTime = lastHeartbeatTime; }

    /** When the workspace entered {@code state} of its sleep cycle, while it is in it; null otherwise. */
    public Instant hibernationSince(HibernationState state) {
        return hibernation != null && hibernation.state() == state ? hibernation.sinceTime() : null;
    }
    public RuntimeStatus getRuntime() { return runtime; }
    public void setRuntime(RuntimeStatus runtime) { this.runtime = runtime; }
    public RegistrationStatus getRegistration() { return registration; }
    public void setRegistration(RegistrationStatus registration) { this.registration = registration; }
}
