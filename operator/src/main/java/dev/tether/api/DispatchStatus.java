package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The effective dispatch policy, resolved by the reconciler and enforced by the proxy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DispatchStatus(
        @JsonPropertyDescription("Effective idle timeout in seconds: a dispatch is cancelled after this long with no agent output and no healthy heartbeat.")
        Integer idleTimeoutSeconds,

        @JsonPropertyDescription("Which rule set the idle timeout: Spec (admin override), Runtime (the runtime's declaration) or Default (platform default).")
        DispatchSource source,

        @JsonPropertyDescription("True when the runtime declared a value outside the allowed bounds and it was clamped.")
        Boolean clamped,

        @JsonPropertyDescription("Effective absolute ceiling in seconds for agent-to-agent calls.")
        Integer maxDurationSeconds) {
}
