package dev.tether.bench;

import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** The operator role (heartbeat endpoint + reconciler) on a {@link BenchApi} or a real API, and a runtime's client for it. */
final class OperatorBench implements AutoCloseable {
    static final MediaType JSON = MediaType.get("application/json");
    final KubernetesClient client;
    final String namespace;
    final OperatorRole operator;
    final OkHttpClient http = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(2_000, 1, TimeUnit.MINUTES))
            .readTimeout(Duration.ofSeconds(30)).retryOnConnectionFailure(false).build();

    OperatorBench(BenchApi api, Duration heartbeatStatusInterval) {
        this(api.client, BenchApi.NS, heartbeatStatusInterval);
    }

    OperatorBench(KubernetesClient client, String namespace, Duration heartbeatStatusInterval) {
        this.client = client;
        this.namespace = namespace;
        operator = OperatorRole.start(client, new OperatorSettings(0, List.of(namespace), namespace,
                new ReconcilerSettings(PolicySettings.DEFAULTS, heartbeatStatusInterval.multipliedBy(6)), heartbeatStatusInterval, false, null, "default"),
                Clock.systemUTC());
        BenchApi.require(Duration.ofSeconds(60), "operator ready", () -> get("/readyz") == 200);
    }

    /** Workspaces {@code prefix-0 .. prefix-(n-1)}, created as fast as the API takes them. */
    static void createWorkspaces(BenchApi api, String prefix, int n, String url) {
        createWorkspaces(api.client, BenchApi.NS, prefix, n, url);
    }

    /** The same in any namespace of any API, eight creates in flight at a time. */
    static void createWorkspaces(KubernetesClient client, String namespace, String prefix, int n, String url) {
        Workspaces workspaces = new Workspaces(client, namespace);
        Semaphore inFlight = new Semaphore(8);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                String name = prefix + "-" + i;
                inFlight.acquireUninterruptibly();
                threads.submit(() -> {
                    try {
                        workspaces.create(name, spec -> spec.setUrl(url));
                    } finally {
                        inFlight.release();
                    }
                });
            }
        }
    }

    /** Waits until the reconciler has issued a token Secret for each of {@code names}; returns name → token. */
    Map<String, String> tokens(List<String> names, Duration timeout) {
        return tokens(client, namespace, names, timeout);
    }

    /** The same for any operator reconciling {@code namespace} of the API {@code client} talks to. */
    static Map<String, String> tokens(KubernetesClient client, String namespace, List<String> names, Duration timeout) {
        Map<String, String> tokens = new HashMap<>();
        BenchApi.require(timeout, names.size() + " token Secrets", () -> {
            for (Secret s : client.secrets().inNamespace(namespace).list().getItems()) {
                tokens.put(s.getMetadata().getName(), TokenSecrets.token(s));
            }
            boolean all = names.stream().allMatch(n -> tokens.containsKey(TokenSecrets.name(n)));
            if (!all) {
                // A list of 10,000 Secrets is not free for the API server: not back to back.
                BenchApi.await(Duration.ofMillis(500), () -> false);
            }
            return all;
        });
        Map<String, String> byWorkspace = new HashMap<>();
        names.forEach(n -> byWorkspace.put(n, tokens.get(TokenSecrets.name(n))));
        return byWorkspace;
    }

    static String beat(String namespace, String name, String currentTask, int idleSeconds) {
        return "{\"workspace_id\":\"" + namespace + "/" + name + "\",\"error_rate\":0.0,\"active_tasks\":1,\"uptime_seconds\":3600,"
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

    /** The operator's /metrics (Prometheus text). */
    String metrics() {
        try (Response r = http.newCall(new Request.Builder().url(operator.baseUrl() + "/metrics").build()).execute()) {
            return r.body().string();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
