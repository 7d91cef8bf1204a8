package dev.tether.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * What a real API server answers when kubectl asks for a Table ({@code Accept: ...;as=Table}): the CRD's
 * {@code additionalPrinterColumns} evaluated per object, dates as ages, so {@code kubectl get ws} on the embedded
 * API shows the same columns as on a cluster. Only the simple {@code .a.b.c} JSONPaths CRDs use are evaluated.
 * Pure.
 */
final class ServerSideTables {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ServerSideTables() {
    }

    /**
     * The Table for a GET of {@code path} that answered {@code body}, when the path names a custom resource (list or
     * one object) of one of {@code crds}; empty otherwise.
     */
    static Optional<JsonNode> of(String path, JsonNode body, List<JsonNode> crds, Instant now) {
        String[] s = (path.contains("?") ? path.substring(0, path.indexOf('?')) : path).split("/");
        // ["", "apis", group, version, ("namespaces", ns,)? plural (, name)?]
        if (s.length < 5 || !s[1].equals("apis")) {
            return Optional.empty();
        }
        int pluralAt = s.length >= 7 && s[4].equals("namespaces") ? 6 : 4;
        if (s.length <= pluralAt || s.length > pluralAt + 2) {
            return Optional.empty();
        }
        for (JsonNode crd : crds) {
            if (!crd.at("/spec/group").asText().equals(s[2]) || !crd.at("/spec/names/plural").asText().equals(s[pluralAt])) {
                continue;
            }
            for (JsonNode version : crd.at("/spec/versions")) {
                if (version.path("name").asText().equals(s[3])) {
                    return Optional.of(table(version.path("additionalPrinterColumns"), body.has("items") ? body.path("items") : List.of(body),
                            body, now));
                }
            }
        }
        return Optional.empty();
    }

    private static JsonNode table(JsonNode columns, Iterable<JsonNode> objects, JsonNode body, Instant now) {
        ObjectNode table = MAPPER.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", body.at("/metadata/resourceVersion").asText(""));
        ArrayNode definitions = table.putArray("columnDefinitions");
        definitions.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0)
                .put("description", "Name must be unique within a namespace.");
        columns.forEach(c -> definitions.addObject().put("name", c.path("name").asText()).put("type", c.path("type").asText("string"))
                .put("format", c.path("format").asText("")).put("priority", c.path("priority").asInt(0))
                .put("description", c.path("description").asText("")));
        ArrayNode rows = table.putArray("rows");
        for (JsonNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells.add(object.at("/metadata/name").asText());
            columns.forEach(c -> cells.add(cell(object, c, now)));
            row.set("object", object);
        }
        return table;
    }

    private static JsonNode cell(JsonNode object, JsonNode column, Instant now) {
        JsonNode value = object;
        for (String part : column.path("jsonPath").asText().split("\\.")) {
            if (!part.isEmpty()) {
                value = value.path(part);
            }
        }
        if (value.isMissingNode() || value.isNull()) {
            return MAPPER.nullNode();
        }
        if (column.path("type").asText().equals("date")) {
            try {
                return MAPPER.getNodeFactory().textNode(humanDuration(Duration.between(Instant.parse(value.asText()), now)));
            } catch (DateTimeParseException e) {
                return MAPPER.getNodeFactory().textNode("<invalid>");
            }
        }
        return value;
    }

    /** kubectl's own rendering of an age (k8s.io/apimachinery duration.HumanDuration). */
    static String humanDuration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        }
        if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        if (hours < 24 * 365 * 8) {
            long days = hours / 24;
            return days % 365 == 0 ? days / 365 + "y" : days / 365 + "y" + days % 365 + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
