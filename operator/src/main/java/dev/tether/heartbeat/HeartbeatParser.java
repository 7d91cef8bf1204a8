package dev.tether.heartbeat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.http.JsonFactories;
import dev.tether.http.RequestBodies;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The heartbeat wire format (snake_case, unknown keys ignored), parsed strictly: a wrong type
 * anywhere rejects the whole heartbeat with a 400 naming the field, so nothing half-valid is written.
 * Pure: no I/O, fuzzable.
 */
public final class HeartbeatParser {
    /** Longer sample_error and current_task texts are truncated to this many characters, with a note saying so. */
    public static final int MAX_TEXT = 4096;
    public static final int MAX_STATE = 64;
    public static final int MAX_CAPABILITIES = 64;
    public static final int MAX_ACTIVE_TASKS = 1_000_000;
    public static final long MAX_UPTIME_SECONDS = 100_000_000_000L;
    public static final long MAX_SPEND_CENTS = 1_000_000_000_000L;
    private static final Pattern CAPABILITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    /** Strict JSON: duplicate keys and trailing garbage are errors, nesting is shallow. */
    public static final ObjectMapper STRICT_JSON = JsonMapper.builder(JsonFactories.pooled()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(64 * 1024).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private HeartbeatParser() {
    }

    /**
     * Parses a request body into a JSON object, or a 400 that says what is wrong with it: not UTF-8,
     * not JSON, not an object, or text anywhere (keys included) that is not valid Unicode.
     */
    public static JsonNode readObject(byte[] body) {
        JsonNode root;
        try {
            root = RequestBodies.readJson(STRICT_JSON, body);
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HttpError(400, "body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new HttpError(400, "body must be a JSON object");
        }
        String bad = loneSurrogateIn(root);
        if (bad != null) {
            throw new HttpError(400, "body has an unpaired surrogate escape (\\uD800-\\uDFFF) in " + bad + "; send valid Unicode");
        }
        return root;
    }

    /** Where the first text with an unpaired surrogate is, for the error message, or null. Depth is bounded by the parser. */
    private static String loneSurrogateIn(JsonNode node) {
        if (node.isTextual()) {
            return hasLoneSurrogate(node.textValue()) ? "a string value" : null;
        }
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (hasLoneSurrogate(e.getKey())) {
                return "a member name";
            }
            String inside = loneSurrogateIn(e.getValue());
            if (inside != null) {
                return inside.startsWith("'") ? inside : "'" + Heartbeat.shorten(e.getKey()) + "'";
            }
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                String inside = loneSurrogateIn(element);
                if (inside != null) {
                    return inside;
                }
            }
        }
        return null;
    }

    public static Heartbeat parse(byte[] body, String defaultNamespace) {
        JsonNode root = readObject(body);
        WorkspaceId ref = workspaceId(root, "workspace_id", defaultNamespace);

        Double errorRate = number(root, "error_rate");
        if (errorRate != null && (errorRate < 0 || errorRate > 1)) {
            throw new HttpError(400, "field 'error_rate' must be between 0 and 1, got " + errorRate);
        }
        if (errorRate != null) {
            errorRate = errorRate + 0.0; // -0.0 becomes 0.0: status never carries a negative zero
        }
        Long activeTasks = integer(root, "active_tasks", 0, MAX_ACTIVE_TASKS);
        Long uptime = integer(root, "uptime_seconds", 0, MAX_UPTIME_SECONDS);
        Long spend = spend(root);

        JsonNode metadata = root.get("runtime_metadata");
        boolean declares = metadata != null && !metadata.isNull();
        Map<String, Boolean> capabilities = null;
        Integer declared = null;
        if (declares) {
            if (!metadata.isObject()) {
                throw new HttpError(400, "field 'runtime_metadata' must be an object");
            }
            capabilities = capabilities(metadata.get("capabilities"));
            Long idle = integer(metadata, "runtime_metadata.idle_timeout_seconds", "idle_timeout_seconds", Long.MIN_VALUE, Integer.MAX_VALUE);
            declared = idle != null && idle > 0 ? idle.intValue() : null;
        }
        return new Heartbeat(ref, errorRate, truncated(text(root, "sample_error", Integer.MAX_VALUE), MAX_TEXT),
                activeTasks == null ? null : activeTasks.intValue(), uptime,
                truncated(text(root, "current_task", Integer.MAX_VALUE), MAX_TEXT), spend,
                text(root, "runtime_state", MAX_STATE), declares, capabilities, declared);
    }

    /**
     * A report text cut to {@code max} characters, saying so: a long stack trace in {@code sample_error} must not
     * cost the runtime its heartbeat. The cut never splits a surrogate pair; the suffix names the UTF-8 bytes left out.
     */
    static String truncated(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        int totalBytes = value.getBytes(StandardCharsets.UTF_8).length;
        int keep = max - suffix(totalBytes).length();
        if (Character.isLowSurrogate(value.charAt(keep))) {
            keep--;
        }
        String kept = value.substring(0, keep);
        return kept + suffix(totalBytes - kept.getBytes(StandardCharsets.UTF_8).length);
    }

    private static String suffix(int droppedBytes) {
        return "\u2026[truncated " + droppedBytes + " bytes]";
    }

    /** A required workspace id field: {@code namespace/name}, or a bare {@code name} in {@code defaultNamespace}. */
    public static WorkspaceId workspaceId(JsonNode root, String field, String defaultNamespace) {
        String id = requiredString(root, field, WorkspaceId.MAX_LENGTH);
        return WorkspaceId.parse(id, defaultNamespace).orElseThrow(() -> new HttpError(400, "field '" + field
                + "' must be 'namespace/name' or 'name' (lower-case DNS names), got '" + Heartbeat.shorten(id) + "'"));
    }

    public static String requiredString(JsonNode root, String field, int maxLength) {
        String value = text(root, field, maxLength);
        if (value == null) {
            throw new HttpError(400, "field '" + field + "' is required");
        }
        return value;
    }

    /** A string field; absent, null and empty all mean "none". */
    static String text(JsonNode root, String field, int maxLength) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new HttpError(400, "field '" + field + "' must be a string, got " + node.getNodeType().name().toLowerCase());
        }
        String value = node.textValue();
        if (value.length() > maxLength) {
            throw new HttpError(400, "field '" + field + "' is longer than " + maxLength + " characters");
        }
        return value.isEmpty() ? null : value;
    }

    /** A {@code \\uD800} escape without its pair parses, but is no Unicode text and cannot be stored as UTF-8. */
    static boolean hasLoneSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static Double number(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            throw new HttpError(400, "field '" + field + "' must be a number, got " + node.getNodeType().name().toLowerCase());
        }
        return node.doubleValue();
    }

    private static Long integer(JsonNode root, String field, long min, long max) {
        return integer(root, field, field, min, max);
    }

    private static Long integer(JsonNode root, String name, String field, long min, long max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw new HttpError(400, "field '" + name + "' must be a whole number, got "
                    + (node.isNumber() ? node.asText() : node.getNodeType().name().toLowerCase()));
        }
        BigInteger value = node.bigIntegerValue();
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new HttpError(400, "field '" + name + "' must be between " + min + " and " + max + ", got " + Heartbeat.shorten(value.toString()));
        }
        return value.longValue();
    }

    /** monthly_spend in cents: 0 (or below, once clamped) means "no update"; clamped to [0, 10^12]. */
    private static Long spend(JsonNode root) {
        JsonNode node = root.get("monthly_spend");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw new HttpError(400, "field 'monthly_spend' must be a whole number of cents, got "
                    + (node.isNumber() ? node.asText() : node.getNodeType().name().toLowerCase()));
        }
        BigInteger value = node.bigIntegerValue();
        if (value.signum() <= 0) {
            return null;
        }
        return value.min(BigInteger.valueOf(MAX_SPEND_CENTS)).longValue();
    }

    private static Map<String, Boolean> capabilities(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new HttpError(400, "field 'runtime_metadata.capabilities' must be an object of name to boolean");
        }
        if (node.size() > MAX_CAPABILITIES) {
            throw new HttpError(400, "field 'runtime_metadata.capabilities' has " + node.size() + " entries; at most " + MAX_CAPABILITIES);
        }
        Map<String, Boolean> result = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!CAPABILITY.matcher(e.getKey()).matches()) {
                throw new HttpError(400, "field 'runtime_metadata.capabilities' has an invalid name '" + Heartbeat.shorten(e.getKey())
                        + "' (letters, digits, '_', '.', '-'; at most 63)");
            }
            if (!e.getValue().isBoolean()) {
                throw new HttpError(400, "field 'runtime_metadata.capabilities." + e.getKey() + "' must be true or false, got "
                        + e.getValue().getNodeType().name().toLowerCase());
            }
            result.put(e.getKey(), e.getValue().booleanValue());
        }
        return result;
    }
}
