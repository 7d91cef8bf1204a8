package dev.tether.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.http.HttpError;
import dev.tether.http.JsonFactories;
import dev.tether.http.RequestBodies;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Turns what a caller posted into the JSON-RPC 2.0 request the agent receives, as the platform
 * Tether replaces did: a bare {@code {"method", "params"}} is wrapped in an envelope with a new id,
 * and {@code params.message.messageId} is added when missing. Pure: ids come from the supplier.
 * A body that needs no change is forwarded byte for byte.
 */
final class A2aRequestNormaliser {
    /** The request to forward: its bytes, and the id and method for logs and a final stream error. */
    record Normalised(byte[] body, JsonNode id, String method) {
    }

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactories.pooled().build())
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private A2aRequestNormaliser() {
    }

    static Normalised normalise(byte[] raw, Supplier<String> newId) {
        JsonNode parsed = parse(raw);
        if (parsed.isArray()) {
            throw invalid("JSON-RPC batches are not supported; send one request per call");
        }
        if (!parsed.isObject()) {
            throw invalid("request body must be a JSON object, got " + parsed.getNodeType().toString().toLowerCase());
        }
        ObjectNode request = (ObjectNode) parsed;
        boolean changed = false;
        if (!request.has("jsonrpc")) {
            request = envelope(request, newId);
            changed = true;
        } else if (!request.get("jsonrpc").isTextual() || !request.get("jsonrpc").asText().equals("2.0")) {
            throw invalid("\"jsonrpc\" must be \"2.0\", got " + request.get("jsonrpc"));
        }
        JsonNode method = request.get("method");
        if (method == null || !method.isTextual() || method.asText().isBlank()) {
            throw invalid("\"method\" must be a string naming the A2A method (e.g. message/send), got "
                    + (method == null ? "none" : method.toString()));
        }
        if (request.get("params") instanceof ObjectNode params && params.get("message") instanceof ObjectNode message
                && (!message.hasNonNull("messageId") || message.get("messageId").asText().isBlank())) {
            message.put("messageId", newId.get());
            changed = true;
        }
        JsonNode id = request.has("id") ? request.get("id") : NullNode.getInstance();
        return new Normalised(changed ? serialise(request) : raw, id, method.asText());
    }

    private static ObjectNode envelope(ObjectNode bare, Supplier<String> newId) {
        ObjectNode envelope = MAPPER.createObjectNode();
        envelope.put("jsonrpc", "2.0");
        JsonNode id = bare.get("id");
        if (id != null && (id.isTextual() || id.isIntegralNumber())) {
            envelope.set("id", id);
        } else {
            envelope.put("id", newId.get());
        }
        envelope.set("method", bare.get("method"));
        if (bare.has("params")) {
            envelope.set("params", bare.get("params"));
        }
        return envelope;
    }

    private static JsonNode parse(byte[] raw) {
        if (raw.length == 0) {
            throw invalid("request body is empty; send a JSON-RPC 2.0 request or {\"method\": ..., \"params\": ...}");
        }
        try {
            JsonNode node = RequestBodies.readJson(MAPPER, raw);
            if (node == null || node.isMissingNode()) {
                throw invalid("request body is blank; send a JSON-RPC 2.0 request or {\"method\": ..., \"params\": ...}");
            }
            return node;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw invalid("request body is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw invalid("request body is not valid JSON: " + e.getMessage());
        } catch (NumberFormatException e) {
            // Exact decimals: an exponent beyond what BigDecimal holds (1E11111111111111111111) is no usable number.
            throw invalid("request body has a number that cannot be represented exactly: " + e.getMessage());
        }
    }

    private static byte[] serialise(ObjectNode request) {
        try {
            return MAPPER.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a parsed JSON tree", e);
        }
    }

    private static HttpError invalid(String message) {
        return new HttpError(400, message);
    }
}
