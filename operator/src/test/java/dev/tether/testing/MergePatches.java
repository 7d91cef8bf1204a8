package dev.tether.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/** JSON merge patch (RFC 7386) helpers, for tests that edit a spec as kubectl would. */
public final class MergePatches {
    private MergePatches() {
    }

    /**
     * A merge patch that turns {@code current} into exactly {@code desired}: a plain merge patch keeps
     * object keys the new value lacks, so those are sent as explicit nulls (recursively).
     */
    public static JsonNode replacing(JsonNode current, JsonNode desired) {
        if (desired == null || desired.isNull()) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (!desired.isObject() || current == null || !current.isObject()) {
            return desired;
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            patch.set(e.getKey(), replacing(current.get(e.getKey()), e.getValue()));
        }
        for (Iterator<String> it = current.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!desired.has(key)) {
                patch.putNull(key);
            }
        }
        return patch;
    }
}
