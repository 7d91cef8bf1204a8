package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Required;

/**
 * The pod template a provisioned workspace runs, as in a Deployment's {@code spec.template}. The pod spec is kept
 * as the user wrote it: the API server validates it in full when Tether creates the Deployment from it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodTemplate(
        @JsonPropertyDescription("Labels and annotations for the runtime's pods. Tether adds its own labels (app.kubernetes.io/name, tether.dev/workspace), which win.")
        PodTemplateMetadata metadata,

        @JsonPropertyDescription("The pod spec (containers, volumes, ...), as in a Deployment's spec.template.spec. Validated by the API server when "
                + "Tether creates the Deployment; a spec it refuses sets Ready=False with reason InvalidTemplate. Tether injects the token "
                + "file and env WORKSPACE_ID, PLATFORM_URL and A2A_PORT into the first container.")
        @Required
        @PreserveUnknownFields
        JsonNode spec) {
}
