package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** When a provisioned workspace's runtime is scaled to zero while idle, and how long a call waits for it to wake. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HibernationSpec(
        @JsonPropertyDescription("Seconds with no dispatch in flight, queued or held on any proxy replica, no dispatch ended and the runtime "
                + "reporting active_tasks 0, after which the runtime is scaled to zero (phase Hibernated). Unset: never on idle "
                + "(the tether.dev/hibernate annotation still works).")
        @Min(1) @Max(DispatchSpec.MAX_SECONDS)
        Integer idleAfterSeconds,

        @JsonPropertyDescription("Seconds a call to a hibernated workspace is held while its runtime wakes (a ready replica that has "
                + "heartbeated since the wake) before it is answered 503 with Retry-After. Unset means 120.")
        @Min(1) @Max(HibernationSpec.MAX_WAKE_TIMEOUT_SECONDS)
        Integer wakeTimeoutSeconds) {

    public static final int DEFAULT_WAKE_TIMEOUT_SECONDS = 120;
    public static final long MAX_WAKE_TIMEOUT_SECONDS = 3_600;

    /** {@link #wakeTimeoutSeconds} or its default, for a spec that may have no hibernation section. */
    public static int wakeTimeoutSeconds(HibernationSpec spec) {
        return spec == null || spec.wakeTimeoutSeconds() == null ? DEFAULT_WAKE_TIMEOUT_SECONDS : spec.wakeTimeoutSeconds();
    }
}
