package dev.tether.proxy.server;

import dev.tether.http.HttpError;
import dev.tether.proxy.wire.Answers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/** {@code /healthz} (the process serves), {@code /readyz} (every named check passes) and {@code /metrics} (Prometheus text). */
public final class LocalEndpoints {
    public static final Set<String> PATHS = Set.of("/healthz", "/readyz", "/metrics");

    private final Map<String, BooleanSupplier> readiness;
    private final PrometheusMeterRegistry registry;
    private final Executor scrapes;

    /** @param scrapes where a scrape runs: it may take milliseconds with many workspaces, too long for an event loop */
    public LocalEndpoints(Map<String, BooleanSupplier> readiness, PrometheusMeterRegistry registry, Executor scrapes) {
        this.readiness = readiness;
        this.registry = registry;
        this.scrapes = scrapes;
    }

    /** The handler of {@code path}, one of {@link #PATHS}; only GET is served. */
    public RequestHandler handler(String path, HttpRequest head) {
        if (!head.method().equals(HttpMethod.GET)) {
            throw new HttpError(405, "method " + head.method() + " not allowed; use GET", Map.of(), Map.of("Allow", "GET"));
        }
        return new RequestHandler() {
            @Override
            public boolean wantsBody() {
                return false;
            }

            @Override
            public void handle(CallerConnection connection, HttpRequest request, ByteBuf body) {
                body.release();
                switch (path) {
                    case "/healthz" -> connection.answer(Answers.json(200, dev.tether.http.JsonResponses.MAPPER.valueToTree(Map.of("status", "ok"))));
                    case "/readyz" -> connection.answer(readiness());
                    default -> scrapes.execute(() -> {
                        byte[] text = registry.scrape().getBytes(StandardCharsets.UTF_8);
                        connection.context().channel().eventLoop().execute(() ->
                                connection.answer(Answers.bytes(200, "text/plain; version=0.0.4; charset=utf-8", text)));
                    });
                }
            }
        };
    }

    private io.netty.handler.codec.http.FullHttpResponse readiness() {
        Map<String, Boolean> checks = new LinkedHashMap<>();
        readiness.forEach((name, check) -> checks.put(name, check.getAsBoolean()));
        boolean ready = checks.values().stream().allMatch(Boolean::booleanValue);
        return Answers.json(ready ? 200 : 503, dev.tether.http.JsonResponses.MAPPER.valueToTree(
                Map.of("status", ready ? "ready" : "not ready", "checks", checks)));
    }
}
