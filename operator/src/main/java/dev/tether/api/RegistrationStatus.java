package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;

/** What the runtime registered about itself; {@code spec.url}, when set, still wins for routing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistrationStatus(
        @JsonPropertyDescription("The A2A endpoint the runtime registered (http or https).")
        String url,

        @JsonPropertyDescription("The agent card the runtime registered, as it sent it.")
        @PreserveUnknownFields
        JsonNode agentCard,

        @JsonPropertyDescription("When the runtime last registered or updated its card (RFC 3339).")
        String lastRegisteredTime) {
}
