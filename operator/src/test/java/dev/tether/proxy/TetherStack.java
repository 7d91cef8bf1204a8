package dev.tether.proxy;

import static org.awaitility.Awaitility.await;

import dev.tether.api.DispatchSource;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceSpec;
import dev.tether.heartbeat.RegistryFixture;
import dev.tether.policy.PolicySettings;
import dev.tether.proxy.forwarding.IdleWindow;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.testing.Probes;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The whole data path on one API, each part restartable on its own: the operator role (heartbeat
 * endpoint and reconciler), any number of proxy replicas, a scripted agent and the runtime's side.
 * The platform's minimum idle timeout is 1 s so tests can declare windows short enough to wait for;
 * the default (30 s) is far from every declared window, so a fallback to it cannot pass unnoticed.
 */
final class TetherStack implements AutoCloseable {
    static final PolicySettings POLICY = new PolicySettings(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(2),
            Duration.ofMinutes(30));
    static final Duration WAIT = Duration.ofSeconds(30);

    final KubernetesClient client;
    final String namespace;
    final Workspaces workspaces;
    final TestAgent agent = new TestAgent();
    private final PolicySettings policy;
    private final List<DispatchProxy> proxies = new CopyOnWriteArrayList<>();
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(90)).retryOnConnectionFailure(false).build();
    private RegistryFixture operator;

    TetherStack(KubernetesClient client, String namespace) {
        this(client, namespace, POLICY);
    }

    /** @param policy the platform's dispatch bounds, for tests that need a default window short enough to wait for */
    TetherStack(KubernetesClient client, String namespace, PolicySettings policy) {
        this.client = client;
        this.namespace = namespace;
        this.workspaces = new Workspaces(client, namespace);
        this.policy = policy;
        startOperator();
    }

    /** A new operator role instance (new caches, new reconciler, new heartbeat endpoint) on the same API. */
    void startOperator() {
        operator = new RegistryFixture(client, namespace, Clock.systemUTC(), policy);
    }

    void stopOperator() {
        operator.close();
        operator = null;
    }

    RuntimeClient runtime() {
        return operator.runtime;
    }

    /** The runtime's side with one PLATFORM_URL: the proxy, which relays {@code /registry/*} to the operator. */
    RuntimeClient runtimeVia(DispatchProxy proxy) {
        return new RuntimeClient(proxy.baseUrl());
    }

    /** A new proxy replica on the same API relaying {@code /registry/*} to the running operator, ready (informer synced) when returned. */
    DispatchProxy startProxy() {
        DispatchProxy proxy = DispatchProxy.start(client, ProxySettings.builder().host("127.0.0.1").port(0)
                .namespaces(List.of(namespace)).defaultNamespace(namespace).defaultIdleTimeout(policy.defaultIdleTimeout())
                .registryUrl(operator.operator.baseUrl()).allowedRegisteredNetworks(List.of("127.0.0.0/8")).build());
        proxies.add(proxy);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> Probes.ready(proxy.baseUrl()));
        return proxy;
    }

    void stopProxy(DispatchProxy proxy) {
        proxies.remove(proxy);
        proxy.close();
    }

    /** Creates a workspace whose agent answers at {@code agentPath} and returns its token once heartbeats are accepted. */
    String workspace(String name, String agentPath) {
        return workspace(name, spec -> spec.setUrl(agent.url(agentPath)));
    }

    /** Creates a workspace with {@code spec} and returns its token once heartbeats are accepted. */
    String workspace(String name, Consumer<WorkspaceSpec> spec) {
        workspaces.create(name, spec);
        return operator.tokenOf(name);
    }

    /**
     * A workspace whose agent stays silent for {@code agentSilence} before answering, whose runtime has
     * declared {@code declaredSeconds}, and which {@code proxy} already enforces. Returns its token.
     */
    String silentAgentDeclaring(DispatchProxy proxy, String name, Duration agentSilence, int declaredSeconds) {
        agent.on("/" + name, agent.answerAfter(agentSilence));
        String token = workspace(name, "/" + name);
        RuntimeClient.Reply declared = declare(token, name, declaredSeconds);
        if (declared.status() != 200) {
            throw new AssertionError("declaring " + declaredSeconds + " s was answered " + declared.status() + ": " + declared.body());
        }
        awaitEnforced(proxy, name, declaredSeconds, DispatchSource.Runtime);
        return token;
    }

    /** A heartbeat of an idle runtime, as one sends it. */
    RuntimeClient.Reply beat(String token, String name) {
        return runtime().heartbeat(token, operator.beat(name, "\"active_tasks\": 0"));
    }

    /** A heartbeat declaring {@code idleSeconds}, as a runtime sends it. */
    RuntimeClient.Reply declare(String token, String name, int idleSeconds) {
        return runtime().heartbeat(token, operator.beat(name, "\"runtime_metadata\": {\"idle_timeout_seconds\": " + idleSeconds + "}"));
    }

    Workspace get(String name) {
        return workspaces.get(name);
    }

    ProxyRig.Reply dispatch(DispatchProxy proxy, String name, String... headers) {
        return ProxyRig.call(http, new Request.Builder().url(proxy.baseUrl() + "/workspaces/" + namespace + "/" + name + "/a2a")
                .headers(Headers.of(headers)).post(RequestBody.create(ProxyRig.MESSAGE, ProxyRig.JSON)).build());
    }

    /** The idle window {@code proxy} would enforce on a dispatch to {@code name} now, from its cache. */
    Optional<IdleWindow> window(DispatchProxy proxy, String name) {
        ProxySettings defaults = ProxySettings.builder().defaultIdleTimeout(policy.defaultIdleTimeout()).build();
        return proxy.directory().find(new WorkspaceId(namespace, name)).map(ws -> EnforcedPolicy.of(ws,
                (int) defaults.defaultIdleTimeout().toSeconds(), (int) defaults.defaultMaxDuration().toSeconds()).idle());
    }

    boolean enforces(DispatchProxy proxy, String name, int seconds, DispatchSource source) {
        return window(proxy, name).filter(w -> w.seconds() == seconds && w.source() == source).isPresent();
    }

    void awaitEnforced(DispatchProxy proxy, String name, int seconds, DispatchSource source) {
        await("a proxy enforcing " + seconds + " s (" + source + ") on " + name).atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> enforces(proxy, name, seconds, source));
    }

    @Override
    public void close() {
        proxies.forEach(DispatchProxy::close);
        if (operator != null) {
            operator.close();
        }
        agent.close();
        http.connectionPool().evictAll();
    }
}
