package dev.tether.operator;

import dev.tether.discovery.DiscoveryEndpoints;
import dev.tether.heartbeat.HeartbeatEndpoint;
import dev.tether.heartbeat.HeartbeatSettings;
import dev.tether.heartbeat.RegisterEndpoint;
import dev.tether.heartbeat.RegistryCaches;
import dev.tether.heartbeat.RegistryContext;
import dev.tether.http.HealthEndpoints;
import dev.tether.http.HttpServer;
import dev.tether.http.Metrics;
import dev.tether.http.MetricsEndpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code operator} role: the registry endpoints (heartbeat, register, update-card) on every
 * replica, and the Workspace reconciler (on the leader, when leader election is on).
 */
public final class OperatorRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorRole.class);
    private final RegistryCaches caches;
    private final ReconcilerRuntime reconciler;
    private final HttpServer server;

    private OperatorRole(RegistryCaches caches, ReconcilerRuntime reconciler, HttpServer server) {
        this.caches = caches;
        this.reconciler = reconciler;
        this.server = server;
    }

    public static OperatorRole start(KubernetesClient client, OperatorSettings settings, Clock clock) {
        PrometheusMeterRegistry registry = Metrics.newRegistry("operator");
        RegistryCaches caches = new RegistryCaches(client, settings.namespaces());
        HeartbeatSettings heartbeat = new HeartbeatSettings(settings.defaultNamespace(), settings.heartbeatStatusInterval(),
                settings.reconciler().policy(), settings.reconciler().offlineAfter(), settings.platformUrl());
        RegistryContext registryContext = new RegistryContext(client, caches, heartbeat, clock, registry);
        AtomicReference<ReconcilerRuntime> reconciling = new AtomicReference<>();
        HealthEndpoints health = new HealthEndpoints().readyWhen("workspace-and-token-caches", caches::synced)
                .readyWhen("reconciler", () -> reconciling.get() != null && reconciling.get().healthy());
        DiscoveryEndpoints discovery = new DiscoveryEndpoints(registryContext);
        HttpServer server = null;
        try {
            // Longer than the heartbeat interval runtimes use (30 s), so their keep-alive connections are reused; also the
            // longest a request may take to arrive whole. A burst of runtimes connecting at once must not meet the JDK's backlog of 50.
            server = HttpServer.builder("0.0.0.0", settings.port())
                    .idleTimeout(Duration.ofSeconds(60))
                    .acceptQueueSize(1024)
                    .route("/registry/heartbeat", new HeartbeatEndpoint(registryContext))
                    .route("/registry/register", new RegisterEndpoint(RegisterEndpoint.Kind.REGISTER, registryContext))
                    .route("/registry/update-card", new RegisterEndpoint(RegisterEndpoint.Kind.UPDATE_CARD, registryContext))
                    .route(DiscoveryEndpoints.CHECK_ACCESS_ROUTE, discovery.checkAccess())
                    .route(DiscoveryEndpoints.DISCOVER_ROUTE, discovery.discover())
                    .route(DiscoveryEndpoints.PEERS_ROUTE, discovery.peers())
                    .route("/healthz", health.liveness())
                    .route("/readyz", health.readiness())
                    .route("/metrics", new MetricsEndpoint(registry))
                    .start();
            ReconcilerRuntime reconciler = ReconcilerRuntime.start(client, settings, registry, clock);
            reconciling.set(reconciler);
            LOG.atInfo().addKeyValue("port", server.port()).addKeyValue("namespaces", settings.namespaces().isEmpty() ? "all" : settings.namespaces())
                    .addKeyValue("leaderElection", settings.leaderElection()).log("operator started");
            return new OperatorRole(caches, reconciler, server);
        } catch (RuntimeException e) {
            // A reconciler that cannot start (the API server unreachable, RBAC missing) must not leave the port bound
            // and the informers running behind the exception.
            if (server != null) {
                server.close();
            }
            caches.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** Stops taking heartbeats first (in-flight ones finish), then the reconciler, then the caches. */
    @Override
    public void close() {
        server.close();
        reconciler.close();
        caches.close();
    }
}
