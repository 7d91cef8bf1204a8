package dev.tether.a2a;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * What a body posted to a workspace's JSON-RPC endpoint is, read from its top level only (children are skipped,
 * no tree is built, numbers are not converted). Pure.
 * <ul>
 * <li>{@link Forward}: valid JSON that is not the legacy shape, a JSON-RPC 2.0 envelope above all; it passes to the
 *     agent byte for byte, and validating it is the agent's job (a wrong {@code jsonrpc}, a missing method, a batch).</li>
 * <li>{@link Legacy}: the shape the replaced platform's canvas sent, an object with a string {@code method} and no
 *     {@code jsonrpc}; it is wrapped in an envelope (a new id unless it carried a string or integer one) and
 *     {@code params.message.messageId} is added when missing.</li>
 * <li>{@link Unparsable}: not JSON at all (empty, cut, trailing content, not UTF-8, beyond the parser's bounds);
 *     not the legacy shape either, so it too passes as sent and the agent answers its own parse error.</li>
 * </ul>
 */
public final class JsonRpcRequests {
    /** Bounded parsing: shallow nesting and short numbers and strings, whatever a caller sends. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).maxNumberLength(1000).build())
            .build();
    /** Exact numbers when a legacy body is re-serialised: 1.10 stays 1.10, big integers stay whole. */
    private static final ObjectMapper TREE = JsonMapper.builder(JSON)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** How a body reads. */
    public sealed interface Body permits Forward, Legacy, Unparsable {
    }

    /**
     * Forwarded as sent. {@code id} is the request's id as JSON text ({@code null} when absent or not a scalar),
     * for a final stream event the proxy may have to write itself.
     */
    public record Forward(String method, String id) implements Body {
    }

    /** The legacy canvas shape, as the envelope to forward instead. */
    public record Legacy(byte[] envelope, String method, String id) implements Body {
    }

    /** Not JSON; {@code problem} says why. */
    public record Unparsable(String problem) implements Body {
    }

    private JsonRpcRequests() {
    }

    public static Body classify(byte[] body, int offset, int length, Supplier<String> newId) {
        String encoding = utf8Problem(body, offset, length);
        if (encoding != null) {
            return new Unparsable(encoding);
        }
        try (JsonParser p = JSON.createParser(body, offset, length)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return new Unparsable("the body is empty");
            }
            boolean envelope = false;
            String method = null;
            String id = "null";
            if (first == JsonToken.START_OBJECT) {
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "jsonrpc" -> envelope = true;
                        case "method" -> method = value == JsonToken.VALUE_STRING ? p.getText() : null;
                        case "id" -> id = scalar(p, value);
                        default -> {
                        }
                    }
                    p.skipChildren();
                }
                if (t != JsonToken.END_OBJECT) {
                    return new Unparsable("the body is not a complete JSON object");
                }
            } else {
                envelope = true; // a batch or a bare value: not the legacy shape, so the agent's to judge
                p.skipChildren();
            }
            if (p.nextToken() != null) {
                return new Unparsable("the body has content after its JSON value");
            }
            return envelope || method == null ? new Forward(method, id) : legacy(body, offset, length, newId);
        } catch (IOException | RuntimeException e) {
            return new Unparsable(message(e));
        }
    }

    /**
     * Why the bytes are not UTF-8 JSON text (RFC 8259 section 8.1), or null: no NUL (UTF-16 and UTF-32 have them, and
     * the parser would guess those encodings), no malformed or overlong sequences, no encoded surrogates. ASCII bodies,
     * the common case, take one pass without decoding.
     */
    static String utf8Problem(byte[] body, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length; i++) {
            if (body[i] == 0) {
                return "the body has a NUL byte: JSON must be UTF-8 text";
            }
            ascii &= body[i] > 0;
        }
        if (ascii) {
            return null;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, offset, length));
            return null;
        } catch (CharacterCodingException e) {
            return "the body is not UTF-8 (JSON must be, RFC 8259): " + e.getMessage();
        }
    }

    /** A scalar id as JSON text (quoted when a string); "null" for objects, arrays and null. */
    private static String scalar(JsonParser p, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_STRING -> TREE.writeValueAsString(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
            case VALUE_TRUE, VALUE_FALSE -> p.getText();
            default -> "null";
        };
    }

    private static Body legacy(byte[] body, int offset, int length, Supplier<String> newId) throws IOException {
        ObjectNode bare = (ObjectNode) TREE.readTree(body, offset, length);
        ObjectNode envelope = TREE.createObjectNode().put("jsonrpc", "2.0");
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
        if (envelope.get("params") instanceof ObjectNode params && params.get("message") instanceof ObjectNode message
                && (!message.hasNonNull("messageId") || message.get("messageId").asText().isBlank())) {
            message.put("messageId", newId.get());
        }
        return new Legacy(TREE.writeValueAsBytes(envelope), envelope.get("method").asText(), envelope.get("id").toString());
    }

    private static String message(Exception e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
