package dev.tether.heartbeat;

import static org.awaitility.Awaitility.await;

import dev.tether.api.Workspace;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The operator role on a given API, and a runtime's view of it: tokens, heartbeats, status. */
public final class RegistryFixture implements AutoCloseable {
    static final Duration STATUS_INTERVAL = Duration.ofSeconds(60);
    public static final Duration OFFLINE_AFTER = Duration.ofSeconds(180);
    public final Workspaces workspaces;
    public final OperatorRole operator;
    public final RuntimeClient runtime;
    private final KubernetesClient client;
    private final String namespace;

    RegistryFixture(KubernetesClient client, String namespace, Clock clock) {
        this(client, namespace, clock, PolicySettings.DEFAULTS);
    }

    /** @param policy the platform's dispatch bounds, e.g. a 1 s minimum so tests can declare short windows */
    public RegistryFixture(KubernetesClient client, String namespace, Clock clock, PolicySettings policy) {
        this.client = client;
        this.namespace = namespace;
        this.workspaces = new Workspaces(client, namespace);
        this.operator = OperatorRole.start(client, new OperatorSettings(0, List.of(namespace), namespace,
                new ReconcilerSettings(policy, OFFLINE_AFTER), STATUS_INTERVAL, false, null, "default"), clock);
        this.runtime = new RuntimeClient(operator.baseUrl());
        await().atMost(Duration.ofSeconds(20)).until(() -> runtime.send(new okhttp3.Request.Builder()
                .url(operator.baseUrl() + "/readyz"), null).status() == 200);
    }

    /** Creates a Workspace and returns its token once the reconciler has issued it and the registry has seen it. */
    public String workspaceWithToken(String name) {
        workspaces.create(name);
        return tokenOf(name);
    }

    public String tokenOf(String name) {
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(20))
                .until(() -> secret(name) != null);
        String token = TokenSecrets.token(secret(name));
        // The registry authenticates from its own informer; wait until it accepts the token.
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(20))
                .until(() -> runtime.heartbeat(token, beat(name, "")).status() != 401);
        return token;
    }

    public Secret secret(String name) {
        return client.secrets().inNamespace(namespace).withName(TokenSecrets.name(name)).get();
    }

    public Workspace get(String name) {
        return workspaces.get(name);
    }

    /** A heartbeat body for {@code namespace/name} with extra JSON members appended. */
    public String beat(String name, String extra) {
        return "{\"workspace_id\": \"" + namespace + "/" + name + "\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Override
    public void close() {
        operator.close();
    }
}
