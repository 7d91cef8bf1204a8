package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Admin overrides and bounds for dispatch; each field beats what the runtime declares. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DispatchSpec(
        @JsonPropertyDescription("Idle timeout in seconds enforced by the dispatch proxy. When set it wins over the runtime's declaration and the platform default.")
        @Min(1) @Max(DispatchSpec.MAX_SECONDS)
        Integer idleTimeoutSeconds,

        @JsonPropertyDescription("Upper bound in seconds on the idle timeout the runtime may declare; a larger declaration is clamped to it.")
        @Min(1) @Max(DispatchSpec.MAX_SECONDS)
        Integer maxIdleTimeoutSeconds,

        @JsonPropertyDescription("Absolute ceiling in seconds for agent-to-agent calls to this workspace. Unset means the platform default (1800 s unless configured).")
        @Min(1) @Max(DispatchSpec.MAX_SECONDS)
        Integer maxDurationSeconds,

        @JsonPropertyDescription("The queue a call waits in while the workspace runs maxConcurrentTasks tasks (runtimes that own 'session' answer busy instead).")
        QueueSpec queue) {

    /** One day: no dispatch window or ceiling may exceed it. */
    public static final long MAX_SECONDS = 86_400;
}
