package dev.tether.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * fabric8's CRUD mock applies a JSON merge patch by appending to arrays; RFC 7386 and the real API
 * server replace them (status.conditions would grow forever). This dispatcher computes the merge
 * correctly and hands the mock the equivalent JSON Patch, so the embedded API behaves like a real one.
 */
public class MergePatchConformingDispatcher extends KubernetesCrudDispatcher {
    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type == null || !type.startsWith(MERGE_PATCH)) {
            return super.handlePatch(request);
        }
        String path = request.getPath();
        String resourcePath = path.replaceFirst("/status(\\?.*)?$", "$1");
        MockResponse current = handleGet(resourcePath);
        if (!current.getStatus().contains("200")) {
            return current;
        }
        try {
            JsonNode before = MAPPER.readTree(current.getBody().getBytes());
            JsonNode patch = MAPPER.readTree(request.getBody().getBytes());
            JsonNode after = merge(before.deepCopy(), patch);
            ArrayNode ops = MAPPER.createArrayNode();
            for (Iterator<String> keys = patch.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (after.has(key)) {
                    ops.addObject().put("op", "add").put("path", "/" + key).set("value", after.get(key));
                } else if (before.has(key)) {
                    ops.addObject().put("op", "remove").put("path", "/" + key);
                }
            }
            RecordedRequest asJsonPatch = new RecordedRequest(request.getHttpVersion(), HttpMethod.PATCH, path,
                    request.getHeaders().newBuilder().set("Content-Type", JSON_PATCH).build(),
                    new Buffer(MAPPER.writeValueAsString(ops).getBytes(StandardCharsets.UTF_8)));
            return super.handlePatch(asJsonPatch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RFC 7386: objects merge key by key, null removes, anything else (arrays included) replaces. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : MAPPER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
