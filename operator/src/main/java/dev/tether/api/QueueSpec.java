package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Bounds of the queue in which calls wait for a free task slot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueSpec(
        @JsonPropertyDescription("Calls that may wait at once; one more is answered 503 queue_full. 0: none wait. Unset means 100.")
        @Min(0) @Max(QueueSpec.MAX_DEPTH)
        Integer maxDepth,

        @JsonPropertyDescription("Seconds a call may wait for a slot before it is answered 503 queue_timeout. Unset means 300.")
        @Min(1) @Max(DispatchSpec.MAX_SECONDS)
        Integer maxWaitSeconds) {

    public static final int DEFAULT_MAX_DEPTH = 100;
    public static final int DEFAULT_MAX_WAIT_SECONDS = 300;
    public static final long MAX_DEPTH = 10_000;
}
