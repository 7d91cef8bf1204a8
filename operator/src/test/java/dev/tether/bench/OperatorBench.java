package dev.tether.bench;

import dev.tether.api.Workspace;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** The operator role (heartbeat endpoint + reconciler) on a {@link BenchApi}, and a runtime's client for it. */
final class OperatorBench implements AutoCloseable {
    static final MediaType JSON = MediaType.get("application/json");
    final BenchApi api;
    final OperatorRole operator;
    final OkHttpClient http = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(2_000, 1, TimeUnit.MINUTES))
            .readTimeout(Duration.ofSeconds(30)).retryOnConnectionFailure(false).build();

    OperatorBench(BenchApi api, Duration heartbeatStatusInterval) {
        this.api = api;
        operator = OperatorRole.start(api.client, new OperatorSettings(0, List.of(BenchApi.NS), BenchApi.NS,
                new ReconcilerSettings(PolicySettings.DEFAULTS, heartbeatStatusInterval.multipliedBy(6)), heartbeatStatusInterval, false),
                Clock.systemUTC());
        BenchApi.require(Duration.ofSeconds(60), "operator ready", () -> get("/readyz") == 200);
    }

    /** Workspaces {@code prefix-0 .. prefix-(n-1)}, created as fast as the API takes them. */
    static void createWorkspaces(BenchApi api, String prefix, int n, String url) {
        for (int i = 0; i < n; i++) {
            api.create(prefix + "-" + i, url);
        }
    }

    /** Waits until the reconciler has issued a token Secret for each of {@code names}; returns name → token. */
    Map<String, String> tokens(List<String> names, Duration timeout) {
        Map<String, String> tokens = new HashMap<>();
        BenchApi.require(timeout, names.size() + " token Secrets", () -> {
            for (Secret s : api.client.secrets().inNamespace(BenchApi.NS).list().getItems()) {
                tokens.put(s.getMetadata().getName(), TokenSecrets.token(s));
            }
            return names.stream().allMatch(n -> tokens.containsKey(TokenSecrets.name(n)));
        });
        Map<String, String> byWorkspace = new HashMap<>();
        names.forEach(n -> byWorkspace.put(n, tokens.get(TokenSecrets.name(n))));
        return byWorkspace;
    }

    /** Workspaces whose {@code status.dispatch} has been written by the reconciler. */
    long converged() {
        return api.client.resources(Workspace.class).inNamespace(BenchApi.NS).list().getItems().stream()
                .filter(ws -> ws.getStatus() != null && ws.getStatus().getDispatch() != null).count();
    }

    static String beat(String name, String currentTask, int idleSeconds) {
        return "{\"workspace_id\":\"" + BenchApi.NS + "/" + name + "\",\"error_rate\":0.0,\"active_tasks\":1,\"uptime_seconds\":3600,"
                + "\"current_task\":\"" + currentTask + "\",\"runtime_state\":\"\",\"runtime_metadata\":{\"capabilities\":"
                + "{\"heartbeat\":false,\"session\":true},\"idle_timeout_seconds\":" + idleSeconds + "}}";
    }

    int heartbeat(String token, String body) {
        Request request = new Request.Builder().url(operator.baseUrl() + "/registry/heartbeat")
                .header("Authorization", "Bearer " + token).post(RequestBody.create(body, JSON)).build();
        return status(request);
    }

    int get(String path) {
        return status(new Request.Builder().url(operator.baseUrl() + path).build());
    }

    private int status(Request request) {
        try (Response r = http.newCall(request).execute()) {
            r.body().bytes();
            return r.code();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        operator.close();
        http.connectionPool().evictAll();
    }
}
