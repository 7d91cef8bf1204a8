package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** The part of a pod's metadata a template may set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodTemplateMetadata(
        @JsonPropertyDescription("Labels for the runtime's pods.")
        Map<String, String> labels,

        @JsonPropertyDescription("Annotations for the runtime's pods.")
        Map<String, String> annotations) {
}
