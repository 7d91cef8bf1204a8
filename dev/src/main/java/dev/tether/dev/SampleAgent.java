package dev.tether.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.http.HttpError;
import dev.tether.http.HttpServer;
import dev.tether.http.JsonEndpoint;
import dev.tether.http.JsonResponses;
import dev.tether.http.RequestBodies;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A small A2A agent for the dev role: it answers {@code message/send} (0.3) and {@code SendMessage} (1.0)
 * after staying silent for a configurable time, like an agent thinking hard, and serves its agent card.
 * {@code POST /control {"silence_seconds": N}} changes the silence.
 */
public final class SampleAgent implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final AtomicReference<Duration> silence;
    private final HttpServer server;

    private SampleAgent(Duration initialSilence, int port) {
        this.silence = new AtomicReference<>(initialSilence);
        this.server = HttpServer.builder("127.0.0.1", port)
                .route("/a2a", new JsonEndpoint(Set.of("POST"), true) {
                    @Override
                    protected void serve(Request request, Response response, Callback callback) throws Exception {
                        answer(request, response, callback);
                    }
                })
                .route("/.well-known/agent-card.json", new JsonEndpoint(Set.of("GET"), false) {
                    @Override
                    protected void serve(Request request, Response response, Callback callback) {
                        JsonResponses.send(response, callback, 200, card());
                    }
                })
                .route("/control", new JsonEndpoint(Set.of("POST"), true) {
                    @Override
                    protected void serve(Request request, Response response, Callback callback) throws Exception {
                        JsonNode body = MAPPER.readTree(RequestBodies.readBounded(request, 1024));
                        if (!body.path("silence_seconds").isIntegralNumber() || body.path("silence_seconds").asInt() < 0) {
                            throw new HttpError(400, "field 'silence_seconds' must be a whole number of seconds");
                        }
                        silence.set(Duration.ofSeconds(body.get("silence_seconds").asInt()));
                        JsonResponses.send(response, callback, 200, body);
                    }
                })
                .start();
    }

    public static SampleAgent start(Duration silence, int port) {
        return new SampleAgent(silence, port);
    }

    public String url() {
        return server.baseUrl() + "/a2a";
    }

    public int port() {
        return server.port();
    }

    public void silence(Duration value) {
        silence.set(value);
    }

    private void answer(Request request, Response response, Callback callback) throws Exception {
        JsonNode call = MAPPER.readTree(RequestBodies.readBounded(request, 1 << 20));
        String method = call.path("method").asText();
        if (!method.equals("message/send") && !method.equals("SendMessage")) {
            JsonResponses.send(response, callback, 200, error(call, -32601, "method not found: " + method));
            return;
        }
        String question = call.at("/params/message/parts/0/text").asText("");
        Duration thinking = silence.get();
        Thread.sleep(thinking); // the point of this agent: no bytes at all while it thinks
        ObjectNode result = MAPPER.createObjectNode()
                .put("kind", "message")
                .put("messageId", UUID.randomUUID().toString())
                .put("role", "agent");
        result.putArray("parts").addObject().put("kind", "text")
                .put("text", "after " + thinking.toSeconds() + "s of thought: " + (question.isEmpty() ? "hello" : question));
        ObjectNode reply = MAPPER.createObjectNode().put("jsonrpc", "2.0");
        reply.set("id", call.get("id"));
        reply.set("result", result);
        JsonResponses.send(response, callback, 200, reply);
    }

    private static ObjectNode error(JsonNode call, int code, String message) {
        ObjectNode reply = MAPPER.createObjectNode().put("jsonrpc", "2.0");
        reply.set("id", call.get("id"));
        reply.putObject("error").put("code", code).put("message", message);
        return reply;
    }

    private ObjectNode card() {
        ObjectNode card = MAPPER.createObjectNode()
                .put("name", "Tether sample agent")
                .put("description", "Answers after a configurable silence, to show idle timeouts")
                .put("protocolVersion", "0.3.0")
                .put("version", "1.0.0")
                .put("url", url())
                .put("preferredTransport", "JSONRPC");
        card.putObject("capabilities").put("streaming", false);
        card.putArray("defaultInputModes").add("text/plain");
        card.putArray("defaultOutputModes").add("text/plain");
        card.putArray("skills").addObject().put("id", "think").put("name", "Think").put("description", "Thinks, silently")
                .putArray("tags").add("demo");
        return card;
    }

    @Override
    public void close() {
        server.close();
    }
}
