package dev.tether.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.WorkspaceId;
import dev.tether.http.JsonResponses;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import okhttp3.Headers;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/**
 * Sends an agent's complete (buffered) answer to the caller: the agent's status and end-to-end headers,
 * its body as is — except that an error answer whose body is not JSON is wrapped as
 * {@code {"error": ...}} so callers always get the JSON error contract.
 */
final class BufferedReply {
    private BufferedReply() {
    }

    /** Copies the agent's end-to-end response headers (Content-Length is the proxy's to set). */
    static void copyHeaders(Headers upstream, Response response) {
        Set<String> hop = HeaderPolicy.connectionTokens(upstream.values("Connection"));
        for (int i = 0; i < upstream.size(); i++) {
            if (HeaderPolicy.forwardToCaller(upstream.name(i), hop)) {
                response.getHeaders().add(upstream.name(i), upstream.value(i));
            }
        }
    }

    /**
     * Writes the answer, blocking until the caller has it.
     *
     * @param workspace named in a wrapped error body; null when the answer is not a workspace's
     *
     * @throws IOException the caller went away
     */
    static void send(WorkspaceId workspace, int status, Headers upstreamHeaders, byte[] body, Response response) throws IOException {
        byte[] out = body;
        response.setStatus(status);
        copyHeaders(upstreamHeaders, response);
        if (status >= 400 && !isJson(body)) {
            out = wrap(workspace, status, body);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
        try (Blocker.Callback done = Blocker.callback()) {
            response.write(true, ByteBuffer.wrap(out), done);
            done.block();
        }
    }

    static boolean isJson(byte[] body) {
        if (body.length == 0) {
            return false;
        }
        try {
            A2aRequestNormaliser.MAPPER.readTree(body);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] wrap(WorkspaceId workspace, int status, byte[] body) {
        ObjectNode error = JsonResponses.MAPPER.createObjectNode();
        String text = new String(body, StandardCharsets.UTF_8).strip();
        error.put("error", text.isEmpty() ? "the agent answered HTTP " + status + " with an empty body" : text);
        if (workspace != null) {
            error.put("workspace", workspace.toString());
        }
        error.put("upstream_status", status);
        try {
            return JsonResponses.MAPPER.writeValueAsBytes(error);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise an error body", e);
        }
    }
}
