package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A standard Kubernetes condition; {@code lastTransitionTime} moves only when {@code status} changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(
        @JsonPropertyDescription("Condition type: Ready, Live or Degraded.")
        String type,

        @JsonPropertyDescription("True, False or Unknown.")
        String status,

        @JsonPropertyDescription("A CamelCase machine-readable reason for the last transition.")
        String reason,

        @JsonPropertyDescription("A human-readable explanation.")
        String message,

        @JsonPropertyDescription("When status last changed (RFC 3339).")
        String lastTransitionTime,

        @JsonPropertyDescription("The metadata.generation this condition was computed from.")
        Long observedGeneration) {
}
