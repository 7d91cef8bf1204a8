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
    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Discovery documents first (kubectl needs them; the mock would answer them with a list of everything stored),
     * and Tables for custom resources when kubectl asks for one, as a real API server serves both.
     */
    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (!request.getMethod().equals("GET")) {
            return super.dispatch(request);
        }
        var document = ApiDiscovery.document(request.getPath(), storedCrds());
        if (document.isPresent()) {
            return json(200, document.get());
        }
        MockResponse answer = super.dispatch(request);
        String accept = request.getHeader("Accept");
        if (accept == null || !accept.contains("as=Table") || !answer.getStatus().contains("200") || answer.getBody() == null) {
            return answer;
        }
        try {
            JsonNode body = MAPPER.readTree(answer.getBody().getBytes());
            return ServerSideTables.of(request.getPath(), body, storedCrds(), java.time.Instant.now()).map(t -> json(200, t)).orElse(answer);
        } catch (IOException e) {
            return answer; // a watch stream or anything else that is not one JSON document
        }
    }

    private static MockResponse json(int status, JsonNode body) {
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json").setBody(body.toString());
    }

    private java.util.List<JsonNode> storedCrds() {
        MockResponse crds = handleGet(CRDS);
        java.util.List<JsonNode> items = new java.util.ArrayList<>();
        try {
            MAPPER.readTree(crds.getBody().getBytes()).path("items").forEach(items::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return items;
    }

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
