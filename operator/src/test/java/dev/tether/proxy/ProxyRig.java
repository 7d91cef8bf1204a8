package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceSpec;
import dev.tether.http.JsonResponses;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.Probes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * One proxy on the mock Kubernetes API plus a scripted agent, and the caller's side: create and patch
 * Workspaces as the reconciler and heartbeat endpoint do (waiting until the proxy's informer has the
 * change), and call the proxy over HTTP.
 */
final class ProxyRig implements AutoCloseable {
    static final String NS = "team-a";
    static final MediaType JSON = MediaType.get("application/json");
    static final String MESSAGE = """
            {"jsonrpc":"2.0","id":"req-1","method":"message/send",
             "params":{"message":{"role":"user","messageId":"m-1","parts":[{"kind":"text","text":"think hard"}]}}}""";
    /** How early a caller may see a limit fire (docs/reliability.md, "Timing bounds"). */
    static final Duration EARLY = Duration.ofMillis(100);
    /**
     * How late a caller may see a limit fire on a loaded runner; whatever else could end the call (the
     * agent's scripted answer, another window) is placed at least this far past the limit.
     */
    static final Duration LATE = Duration.ofSeconds(4);

    /** An answer as the caller saw it. */
    record Reply(int code, Headers headers, String body, Duration elapsed) {
        JsonNode json() {
            try {
                return JsonResponses.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + code + "): " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** One line of an SSE stream and when it arrived, counted from the request. */
    record Line(Duration at, String text) {
    }

    /** A whole SSE stream as the caller saw it. */
    record Stream(int code, Headers headers, List<Line> lines, Duration elapsed) {
        List<Line> data() {
            return lines.stream().filter(l -> l.text().startsWith("data:")).toList();
        }

        List<Line> keepalives() {
            return lines.stream().filter(l -> l.text().equals(": keepalive")).toList();
        }

        JsonNode json(Line line) {
            try {
                return JsonResponses.MAPPER.readTree(line.text().substring("data:".length()));
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }
    }

    /** A caller saw a limit fire {@code elapsed} after its request, to an agent that stayed silent throughout. */
    static void assertFiredAt(Duration elapsed, Duration limit) {
        assertFiredAt(elapsed, elapsed, limit);
    }

    /**
     * A caller saw a limit fire in time: no earlier than the limit (less {@link #EARLY}) after the proxy's
     * clock can have started at the earliest, no later than the limit plus {@link #LATE} after the last
     * byte the caller saw.
     *
     * @param sinceClockCouldStart counted from the caller's request, plus the agent's scripted delay before its last byte
     * @param sinceLastByteSeen    counted from the last byte the caller read before the limit fired
     */
    static void assertFiredAt(Duration sinceClockCouldStart, Duration sinceLastByteSeen, Duration limit) {
        assertThat(sinceClockCouldStart).as("a %d s limit fired after", limit.toSeconds()).isGreaterThanOrEqualTo(limit.minus(EARLY));
        assertThat(sinceLastByteSeen).as("a %d s limit fired after", limit.toSeconds()).isLessThanOrEqualTo(limit.plus(LATE));
    }

    final KubernetesClient kube;
    final String namespace;
    final TestAgent agent = new TestAgent();
    final DispatchProxy proxy;
    final OkHttpClient http = new OkHttpClient.Builder()
            .readTimeout(Duration.ofSeconds(60))
            .retryOnConnectionFailure(false)
            .build();

    ProxyRig(KubernetesClient kube, ProxySettings.Builder settings) {
        this(kube, settings, NS);
    }

    /** A proxy whose bare names resolve in {@code namespace}, where this rig's Workspaces live. */
    ProxyRig(KubernetesClient kube, ProxySettings.Builder settings, String namespace) {
        this(kube, settings, namespace, "127.0.0.1");
    }

    /** ... listening on {@code host} (0.0.0.0: reachable from other addresses of this machine too). */
    ProxyRig(KubernetesClient kube, ProxySettings.Builder settings, String namespace, String host) {
        this.kube = kube;
        this.namespace = namespace;
        proxy = DispatchProxy.start(kube, settings.host(host).port(0).defaultNamespace(namespace).build());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> Probes.ready(proxy.baseUrl()));
    }

    /** Creates a Workspace pointing at the agent's {@code path} (null: no URL) and waits until the proxy knows it. */
    Workspace workspace(String name, String agentPath) {
        return workspaceIn(namespace, name, agentPath == null ? null : agent.url(agentPath));
    }

    Workspace workspaceIn(String namespace, String name, String url) {
        return workspaceIn(namespace, name, url, null);
    }

    /** A Workspace under {@code parent} (null: a root) in the rig's namespace, pointing at the agent's {@code agentPath}. */
    Workspace child(String name, String agentPath, String parent) {
        return workspaceIn(namespace, name, agent.url(agentPath), parent);
    }

    Workspace workspaceIn(String namespace, String name, String url, String parent) {
        Workspace ws = new Workspace();
        ws.getMetadata().setName(name);
        ws.getMetadata().setNamespace(namespace);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl(url);
        ws.getSpec().setParentRef(parent);
        return awaitSeen(kube.resource(ws).create());
    }

    /** Publishes SHA-256({@code token}) in the workspace's status, as the reconciler does, and returns the token. */
    String token(String name, String token) {
        return tokenIn(namespace, name, token);
    }

    String tokenIn(String namespace, String name, String token) {
        patchStatusIn(namespace, name, "{\"tokenSha256\": \"" + TokenSecrets.sha256(token) + "\"}");
        return token;
    }

    /** The headers of an agent-to-agent call from {@code caller} ({@code namespace/name} or a bare name) with {@code token}. */
    static String[] from(String caller, String token, String... more) {
        String[] headers = new String[4 + more.length];
        headers[0] = "X-Workspace-ID";
        headers[1] = caller;
        headers[2] = "Authorization";
        headers[3] = "Bearer " + token;
        System.arraycopy(more, 0, headers, 4, more.length);
        return headers;
    }

    /** A JSON merge patch of the status subresource, body {@code {"status": ...}}, as the reconciler and heartbeat send. */
    Workspace patchStatus(String name, String statusJson) {
        return patchStatusIn(namespace, name, statusJson);
    }

    Workspace patchStatusIn(String namespace, String name, String statusJson) {
        Workspace patched = kube.resources(Workspace.class).inNamespace(namespace).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\": " + statusJson + "}");
        return awaitSeen(patched);
    }

    /** A JSON merge patch of the spec, as {@code kubectl patch --type merge} sends. */
    Workspace patchSpec(String name, String specJson) {
        return awaitSeen(kube.resources(Workspace.class).inNamespace(namespace).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": " + specJson + "}"));
    }

    /** The reconciler's resolved policy. */
    Workspace dispatchPolicy(String name, int idleSeconds, String source) {
        return patchStatus(name, "{\"dispatch\": {\"idleTimeoutSeconds\": " + idleSeconds + ", \"source\": \"" + source + "\"}}");
    }

    /**
     * A heartbeat of a runtime at work (one active task) as the heartbeat endpoint records it; {@code state} ""
     * (healthy) clears the field, since a real API server refuses an empty string in a status merge patch.
     */
    Workspace heartbeat(String name, String state) {
        return heartbeat(name, state, 1);
    }

    Workspace heartbeat(String name, String state, int activeTasks) {
        String stateJson = state.isEmpty() ? "null" : "\"" + state + "\"";
        return patchStatus(name, "{\"lastHeartbeatTime\": \"" + Instant.now() + "\", \"runtime\": {\"state\": " + stateJson
                + ", \"activeTasks\": " + activeTasks + "}}");
    }

    private Workspace awaitSeen(Workspace written) {
        WorkspaceId key = WorkspaceId.of(written);
        String version = written.getMetadata().getResourceVersion();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> proxy.directory().find(key)
                .map(ws -> Objects.equals(ws.getMetadata().getResourceVersion(), version)).orElse(false));
        return written;
    }

    Reply post(String path, String body, String... headers) {
        return call(new Request.Builder().url(proxy.baseUrl() + path).headers(Headers.of(headers))
                .post(RequestBody.create(body, JSON)).build());
    }

    Reply get(String path, String... headers) {
        return call(new Request.Builder().url(proxy.baseUrl() + path).headers(Headers.of(headers)).build());
    }

    Reply call(Request request) {
        return call(http, request);
    }

    /** Sends {@code request} with {@code client} and reads the whole answer, timing it. */
    static Reply call(OkHttpClient client, Request request) {
        long start = System.nanoTime();
        try (Response r = client.newCall(request).execute()) {
            String body = r.body().string();
            return new Reply(r.code(), r.headers(), body, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Posts and reads the answer line by line as it arrives. */
    Stream stream(String path, String body, String... headers) {
        long start = System.nanoTime();
        Request request = new Request.Builder().url(proxy.baseUrl() + path).headers(Headers.of(headers))
                .post(RequestBody.create(body, JSON)).build();
        try (Response r = http.newCall(request).execute()) {
            List<Line> lines = new ArrayList<>();
            BufferedSource source = r.body().source();
            String line;
            while ((line = source.readUtf8Line()) != null) {
                lines.add(new Line(Duration.ofNanos(System.nanoTime() - start), line));
            }
            return new Stream(r.code(), r.headers(), lines, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The proxy's /metrics text. */
    String metrics() {
        return get("/metrics").body();
    }

    /** Dispatches in flight, as {@code tether_proxy_dispatches_in_flight} on /metrics says. */
    int inFlight() {
        return metrics().lines().filter(l -> l.startsWith("tether_proxy_dispatches_in_flight{"))
                .mapToInt(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void close() {
        agent.close();
        proxy.close();
        http.connectionPool().evictAll();
    }
}
