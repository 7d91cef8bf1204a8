package dev.tether.proxy;

import dev.tether.config.DurationConverter;
import dev.tether.http.HealthEndpoints;
import dev.tether.http.HttpServer;
import dev.tether.http.Metrics;
import dev.tether.http.MetricsEndpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The A2A dispatch proxy, running: an informer over Workspaces, the single watchdog timer, the shared
 * upstream client and the HTTP server ({@code /workspaces/...}, {@code /healthz}, {@code /readyz} once
 * the informers have synced, {@code /metrics}). {@link #close()} stops accepting, drains in-flight
 * dispatches within the drain timeout, then cancels what is left.
 *
 * <pre>{@code try (DispatchProxy proxy = DispatchProxy.start(client, ProxySettings.builder().port(0).build())) { ... proxy.port() ... }}</pre>
 */
public final class DispatchProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchProxy.class);

    private final WorkspaceDirectory directory;
    private final DispatchWatchdog watchdog;
    private final AgentClient agents;
    private final RegistryRelay relay;
    private final PrometheusMeterRegistry registry;
    private final HttpServer http;
    private final int port;
    private final AtomicBoolean closing = new AtomicBoolean();

    private DispatchProxy(KubernetesClient client, ProxySettings settings, PrometheusMeterRegistry registry) {
        this.registry = registry;
        directory = new WorkspaceDirectory(client, settings.namespaces());
        watchdog = new DispatchWatchdog(key -> directory.find(key).map(ws -> EnforcedPolicy.of(ws, settings).idle()),
                settings.sseKeepalive());
        ProxyMetrics metrics = new ProxyMetrics(registry, watchdog::inFlight);
        directory.start(watchdog, metrics);
        agents = new AgentClient();
        HealthEndpoints health = new HealthEndpoints().readyWhen("workspaces", directory::isSynced);
        CallerAuthorization callers = new CallerAuthorization(directory, settings);
        A2aForwarder forwarder = new A2aForwarder(directory, callers, watchdog, agents, metrics, settings);
        AgentCardEndpoint cards = new AgentCardEndpoint(directory, callers, agents, settings);
        relay = settings.registryUrl() == null ? null : new RegistryRelay(settings.registryUrl(), settings.maxResponseBytes());
        try {
            http = HttpServer.builder(settings.host(), settings.port())
                    .route("/workspaces/*", new WorkspaceEndpoint(settings.defaultNamespace(), forwarder, cards))
                    .route("/registry/*", relay == null ? new RegistryRelay.Disabled() : relay)
                    .route("/healthz", health.liveness())
                    .route("/readyz", health.readiness())
                    .route("/metrics", new MetricsEndpoint(registry))
                    .grace(settings.drainTimeout())
                    .acceptQueueSize(4096)
                    .start();
        } catch (RuntimeException e) {
            directory.close();
            watchdog.close();
            agents.close();
            if (relay != null) {
                relay.close();
            }
            throw e;
        }
        port = http.port();
        LOG.info("dispatch proxy listening on {}:{}, serving Workspaces in {} (bare names in {}), default idle timeout {}, SSE keepalive {}, "
                + "canvas calls {}, /registry/* relayed to {}", settings.host(), http.port(), directory.describeScope(), settings.defaultNamespace(),
                DurationConverter.format(settings.defaultIdleTimeout()), DurationConverter.format(settings.sseKeepalive()),
                settings.canvasTokenSha256() == null ? "open" : "require the canvas token",
                settings.registryUrl() == null ? "nowhere" : settings.registryUrl());
    }

    /** Starts a proxy with its own metrics registry. It serves at once; {@code /readyz} turns ready when the informers have synced. */
    public static DispatchProxy start(KubernetesClient client, ProxySettings settings) {
        return start(client, settings, Metrics.newRegistry("proxy"));
    }

    /** Starts a proxy publishing into {@code registry} (for a process that runs several roles). */
    public static DispatchProxy start(KubernetesClient client, ProxySettings settings, PrometheusMeterRegistry registry) {
        return new DispatchProxy(client, settings, registry);
    }

    /** The bound port (still known after {@link #close()}). */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** True once every Workspace informer has synced. */
    public boolean isReady() {
        return directory.isSynced();
    }

    /** Waits until {@link #isReady()}; false when {@code timeout} passed first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Dispatches waiting on or streaming from an agent right now. */
    public int inFlight() {
        return watchdog.inFlight();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    WorkspaceDirectory directory() {
        return directory;
    }

    /** Stops accepting, lets in-flight dispatches finish within the drain timeout, cancels the rest, releases everything. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LOG.info("dispatch proxy stopping: draining {} in-flight dispatches", watchdog.inFlight());
        try {
            http.close();
        } finally {
            int cancelled = watchdog.stopAll(StopReason.SHUTDOWN);
            if (cancelled > 0) {
                LOG.warn("dispatch proxy cancelled {} dispatches still running after the drain timeout", cancelled);
            }
            watchdog.close();
            directory.close();
            agents.close();
            if (relay != null) {
                relay.close();
            }
            LOG.info("dispatch proxy stopped");
        }
    }

}
