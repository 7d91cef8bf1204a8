package dev.tether.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code /healthz} (the process serves) and {@code /readyz} (every named check passes, e.g. informers synced). */
public final class HealthEndpoints {
    private final Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();

    public HealthEndpoints readyWhen(String name, BooleanSupplier check) {
        readiness.put(name, check);
        return this;
    }

    public Handler liveness() {
        return new JsonEndpoint(Set.of("GET"), false) {
            @Override
            protected void serve(Request request, Response response, Callback callback) {
                JsonResponses.send(response, callback, 200, Map.of("status", "ok"));
            }
        };
    }

    public Handler readiness() {
        return new JsonEndpoint(Set.of("GET"), false) {
            @Override
            protected void serve(Request request, Response response, Callback callback) {
                Map<String, Boolean> checks = new LinkedHashMap<>();
                readiness.forEach((name, check) -> checks.put(name, check.getAsBoolean()));
                boolean ready = checks.values().stream().allMatch(Boolean::booleanValue);
                JsonResponses.send(response, callback, ready ? 200 : 503,
                        Map.of("status", ready ? "ready" : "not ready", "checks", checks));
            }
        };
    }
}
