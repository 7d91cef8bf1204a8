package dev.tether.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.http.HttpServer;
import dev.tether.http.JsonResponses;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * A real A2A agent on loopback that tests script per path: answer after a chosen silence, stream SSE
 * events with chosen gaps, fail, or serve a card. It records what reached it. Silences end early when
 * the agent closes, so no test waits for a scripted silence it no longer needs.
 */
final class TestAgent implements AutoCloseable {
    /** One request as the agent received it (the query as sent, or null), and when ({@link System#nanoTime()}); header names are lower case. */
    record Received(String method, String path, String query, Map<String, List<String>> headers, byte[] bytes, long receivedNanos) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** How long ago the agent received it. */
        Duration age() {
            return Duration.ofNanos(System.nanoTime() - receivedNanos);
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }

        JsonNode json() {
            try {
                return JsonResponses.MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new AssertionError("agent received non-JSON: " + body(), e);
            }
        }
    }

    /** What the agent does for one request. */
    interface Behaviour {
        void serve(Exchange exchange) throws Exception;
    }

    /** One request being answered. Writes block until the bytes are sent. */
    final class Exchange {
        final Received request;
        private final Response response;

        Exchange(Received request, Response response) {
            this.request = request;
            this.response = response;
        }

        Exchange header(String name, String value) {
            response.getHeaders().add(name, value);
            return this;
        }

        void reply(int status, String contentType, String body) throws IOException {
            response.setStatus(status);
            response.getHeaders().put("Content-Type", contentType);
            write(body, true);
        }

        /** A JSON-RPC result echoing the request the agent received. */
        void echo() throws IOException {
            ObjectNode rpc = JsonResponses.MAPPER.createObjectNode();
            rpc.put("jsonrpc", "2.0");
            rpc.set("id", request.json().get("id"));
            rpc.putObject("result").set("echo", request.json());
            reply(200, "application/json", rpc.toString());
        }

        void startStream() throws IOException {
            response.setStatus(200);
            response.getHeaders().put("Content-Type", "text/event-stream");
            write("", false);
        }

        void event(int n) throws IOException {
            write("data: {\"jsonrpc\":\"2.0\",\"id\":" + request.json().get("id") + ",\"result\":{\"n\":" + n + "}}\n\n", false);
        }

        void endStream() throws IOException {
            write("", true);
        }

        void write(String text, boolean last) throws IOException {
            try (Blocker.Callback done = Blocker.callback()) {
                response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
                done.block();
            }
        }
    }

    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger writeFailures = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final HttpServer server;

    TestAgent() {
        server = HttpServer.builder("127.0.0.1", 0)
                .route("/*", new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) throws Exception {
                        serve(request, response, callback);
                        return true;
                    }
                })
                .grace(Duration.ofSeconds(2))
                .acceptQueueSize(4096)
                .start();
    }

    String url(String path) {
        return server.baseUrl() + path;
    }

    TestAgent on(String path, Behaviour behaviour) {
        behaviours.put(path, behaviour);
        return this;
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    int receivedCount() {
        return received.size();
    }

    /** What arrived after the first {@code count} requests, e.g. {@code receivedSince(receivedCount())} taken before a call. */
    List<Received> receivedSince(int count) {
        List<Received> all = received();
        return all.subList(Math.min(count, all.size()), all.size());
    }

    Received last() {
        List<Received> all = received();
        if (all.isEmpty()) {
            throw new AssertionError("the agent received nothing");
        }
        return all.get(all.size() - 1);
    }

    /** Writes that failed because the other side (the proxy) had closed the connection. */
    int writeFailures() {
        return writeFailures.get();
    }

    /** Scripted silence; ends early when the agent closes. */
    void pause(Duration silence) throws InterruptedException {
        closing.await(silence.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closing.countDown();
        server.close();
    }

    private void serve(Request request, Response response, Callback callback) {
        Map<String, List<String>> headers = new ConcurrentHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.computeIfAbsent(f.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f.getValue());
        }
        try {
            ByteBuffer content = Content.Source.asByteBuffer(request);
            byte[] body = new byte[content.remaining()];
            content.get(body);
            String path = request.getHttpURI().getPath();
            Received r = new Received(request.getMethod(), path, request.getHttpURI().getQuery(), headers, body, System.nanoTime());
            received.add(r);
            Behaviour behaviour = behaviours.get(path);
            Exchange exchange = new Exchange(r, response);
            if (behaviour == null) {
                exchange.reply(404, "application/json", "{\"error\":\"test agent has nothing at " + path + "\"}");
            } else {
                behaviour.serve(exchange);
            }
            callback.succeeded();
        } catch (Exception e) {
            writeFailures.incrementAndGet();
            callback.failed(e);
        }
    }

    // Scripted behaviours.

    /** Silent for {@code silence}, then a JSON-RPC result echoing the request. */
    Behaviour answerAfter(Duration silence) {
        return x -> {
            pause(silence);
            x.echo();
        };
    }

    /** {@code events} SSE events, each after {@code gap}, then the end of the stream. */
    Behaviour stream(int events, Duration gap) {
        return x -> {
            events(x, events, gap);
            x.endStream();
        };
    }

    /** {@code events} SSE events {@code gap} apart, then silence until the agent closes. */
    Behaviour streamThenStall(int events, Duration gap) {
        return x -> {
            events(x, events, gap);
            pause(Duration.ofMinutes(5));
        };
    }

    private void events(Exchange x, int events, Duration gap) throws Exception {
        x.startStream();
        for (int i = 1; i <= events; i++) {
            pause(gap);
            x.event(i);
        }
    }
}
