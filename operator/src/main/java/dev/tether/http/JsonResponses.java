package dev.tether.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** JSON answers, including the error contract: {@code {"error": "...", ...}} with a specific message. */
public final class JsonResponses {
    /** Jackson's defaults and the shared buffer pool; the registry endpoints build their status patches with it too. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactories.pooled().build()).build();
    private static final String JSON = "application/json";

    private JsonResponses() {
    }

    public static void send(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** An error body: the message plus any extra fields that help the caller act on it. */
    public static void error(Response response, Callback callback, int status, String message, Map<String, ?> details) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("error", message);
        details.forEach((k, v) -> body.set(k, MAPPER.valueToTree(v)));
        send(response, callback, status, body);
    }

    public static void error(Response response, Callback callback, int status, String message) {
        error(response, callback, status, message, Map.of());
    }

    public static void error(Response response, Callback callback, HttpError e) {
        e.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        error(response, callback, e.status(), e.getMessage(), e.details());
    }
}
