package dev.tether.proxy;

import dev.tether.activity.ActivityLease;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.config.DurationConverter;
import dev.tether.http.HttpError;
import dev.tether.http.Metrics;
import dev.tether.kube.ClusterApi;
import dev.tether.proxy.activity.ActivityReporter;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.admission.Capacity;
import dev.tether.proxy.admission.CapacityMetrics;
import dev.tether.proxy.admission.WakeHolds;
import dev.tether.proxy.callers.CallerAuthorization;
import dev.tether.proxy.cards.AgentCards;
import dev.tether.proxy.cards.RestBases;
import dev.tether.proxy.forwarding.AgentAddressRule;
import dev.tether.proxy.forwarding.AgentPool;
import dev.tether.proxy.forwarding.DispatchTimer;
import dev.tether.proxy.forwarding.Forwarding;
import dev.tether.proxy.forwarding.InFlight;
import dev.tether.proxy.forwarding.ProxyMetrics;
import dev.tether.proxy.forwarding.StopReason;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.forwarding.VettedResolverGroup;
import dev.tether.proxy.registry.RegistryRelay;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.ProxyPeers;
import dev.tether.proxy.routing.ProxyRoutes;
import dev.tether.proxy.routing.WorkspaceDirectory;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.server.LocalEndpoints;
import dev.tether.proxy.server.ProxyServer;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.transports.JsonRpcDispatch;
import dev.tether.proxy.transports.RestDispatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The A2A dispatch proxy, running: an informer over Workspaces, the event loops that serve callers and agents alike
 * (a dispatch stays on one loop from its first byte to its last), the per-loop agent connection pools, the one
 * dispatch timer, and the HTTP server ({@code /workspaces/...}, {@code /registry/*} relayed to the operator,
 * {@code /healthz}, {@code /readyz} once the informers have synced, {@code /metrics}). {@link #close()} stops
 * accepting, drains in-flight dispatches within the drain timeout, then cancels what is left.
 *
 * <pre>{@code try (DispatchProxy proxy = DispatchProxy.start(client, ProxySettings.builder().port(0).build())) { ... proxy.port() ... }}</pre>
 */
public final class DispatchProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchProxy.class);
    /** The cut-off precision of idle windows and ceilings, and how often pooled connections are checked. */
    static final Duration TICK = Duration.ofMillis(100);
    /** Pooled agent connections idle this long are closed: before common agent keep-alives (5 s) close them first. */
    static final Duration MAX_POOLED_IDLE = Duration.ofSeconds(4);

    private final ProxySettings settings;
    private final WorkspaceDirectory directory;
    private final EventLoopGroup loops;
    private final InFlight inFlight;
    private final DispatchTimer timer;
    private final ProxyServer server;
    private final ExecutorService scrapes;
    private final DnsAddressResolverGroup resolver;
    private final VettedResolverGroup vettedResolver;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Capacity capacity;
    private final ProxyPeers peers;
    private final ActivityReporter activity;
    private final WakeHolds wakes;

    private DispatchProxy(KubernetesClient client, ProxySettings settings, PrometheusMeterRegistry registry) {
        this.settings = settings;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        loops = new MultiThreadIoEventLoopGroup(settings.effectiveEventLoops(), new DefaultThreadFactory("tether-proxy", true), io);
        Class<? extends SocketChannel> socket = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Class<? extends ServerChannel> serverSocket = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends DatagramChannel> datagram = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        resolver = new DnsAddressResolverGroup(datagram, DnsServerAddressStreamProviders.platformDefault());
        vettedResolver = new VettedResolverGroup(datagram, new AgentAddressRule(
                settings.allowedRegisteredNetworks().stream().map(AgentAddressRule::network).toList(), ClusterApi.addresses(client)));
        PooledByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        AgentPool pool = new AgentPool(loops, socket, allocator, tls(), resolver, vettedResolver, MAX_POOLED_IDLE);
        inFlight = new InFlight(loops);
        Forwarding forwarding = new Forwarding(pool, inFlight, settings.maxResponseBytes(), settings.sseKeepalive().toNanos());
        ProxyMetrics metrics = new ProxyMetrics(registry, inFlight::count);
        directory = new WorkspaceDirectory(client, settings.namespaces());
        capacity = new Capacity(new CapacityMetrics(registry));
        activity = new ActivityReporter(client, settings.activityNamespace(), holder(settings), ActivityLease.RENEW_EVERY, registry,
                Clock.systemUTC());
        wakes = new WakeHolds(directory, activity, registry);
        ProxySettings.Peers peering = settings.peers();
        peers = peering == null ? ProxyPeers.ALONE : ProxyPeers.watching(client, peering.namespace(), peering.service(), "http");
        int defaultIdle = (int) settings.defaultIdleTimeout().toSeconds();
        int defaultCeiling = (int) settings.defaultMaxDuration().toSeconds();
        directory.start(new WorkspaceDirectory.Listener() {
            @Override
            public void healthyHeartbeat(WorkspaceId workspace) {
                inFlight.heartbeat(workspace);
            }

            @Override
            public void policyChanged(WorkspaceId workspace) {
                directory.find(workspace).ifPresent(ws -> inFlight.windowChanged(workspace, EnforcedPolicy.of(ws, defaultIdle, defaultCeiling).idle()));
            }

            @Override
            public void changed(WorkspaceId workspace, Workspace now) {
                capacity.observed(workspace, now);
                wakes.changed(workspace);
            }

            @Override
            public void endpointsChanged(WorkspaceId workspace) {
                wakes.changed(workspace);
            }

            @Override
            public void deleted(WorkspaceId workspace) {
                metrics.deleted(workspace);
                capacity.deleted(workspace);
                wakes.deleted(workspace);
                activity.deleted(workspace);
            }
        });
        timer = new DispatchTimer(loops, inFlight, pool, TICK);
        CallerAuthorization callers = new CallerAuthorization(directory, settings.defaultNamespace(), settings.canvasTokenSha256());
        Admission.Context admission = new Admission.Context(directory, callers, forwarding, metrics, capacity, peers, activity, wakes,
                settings.trustForwardedHeaders(),
                defaultIdle, defaultCeiling);
        RestBases restBases = new RestBases(admission);
        Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();
        readiness.put("workspaces", directory::isSynced);
        readiness.put("peers", peers::isSynced);
        Gauge.builder("tether.proxy.replicas", () -> peering == null ? 1 : peers.members().size())
                .description("Proxy replicas sharing task slots, as this one sees them (ready endpoints of its Service)")
                .register(registry);
        scrapes = Executors.newVirtualThreadPerTaskExecutor();
        LocalEndpoints local = new LocalEndpoints(readiness, registry, scrapes);
        Upstream operator = settings.registryUrl() == null ? null : Upstream.parse(settings.registryUrl(), false).orElseThrow();
        ProxyRoutes routes = new ProxyRoutes(settings.defaultNamespace(), local, head -> {
            if (operator == null) {
                throw new HttpError(404, "this proxy does not relay /registry/*: start it with --registry-url (the operator's URL), "
                        + "or send registry calls to the operator");
            }
            return new RegistryRelay(forwarding, operator);
        }, new ProxyRoutes.Handlers() {
            @Override
            public RequestHandler dispatch(WorkspaceRoute route) {
                return new JsonRpcDispatch(admission, route.workspace());
            }

            @Override
            public RequestHandler rest(WorkspaceRoute route) {
                return new RestDispatch(admission, restBases, route);
            }

            @Override
            public RequestHandler card(WorkspaceRoute route) {
                return new AgentCards(admission, route);
            }
        });
        try {
            server = ProxyServer.start(loops, serverSocket, allocator, settings.host(), settings.port(), routes,
                    new ProxyServer.Limits(settings.maxRequestBytes(), 64L * ProxySettings.MIB, 16_384, Duration.ofSeconds(30),
                            Duration.ofMinutes(5)));
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        peers.start(peering == null ? null : ProxyPeers.authority(peering.advertiseHost(), server.port()));
        LOG.info("dispatch proxy listening on {}:{} ({} event loops, {}), serving Workspaces in {} (bare names in {}), default idle timeout {}, "
                + "SSE keepalive {}, canvas calls {}, /registry/* relayed to {}", settings.host(), server.port(), settings.effectiveEventLoops(),
                epoll ? "epoll" : "nio", directory.describeScope(), settings.defaultNamespace(),
                DurationConverter.format(settings.defaultIdleTimeout()), DurationConverter.format(settings.sseKeepalive()),
                settings.canvasTokenSha256() == null ? "open" : "require the canvas token",
                settings.registryUrl() == null ? "nowhere" : settings.registryUrl());
    }

    static {
        // Leak detection samples buffers on the data path; tests turn it on with -Dio.netty.leakDetection.level.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /** This replica's name on its activity Leases: its address among its peers, else its host name, made unique per process. */
    private static String holder(ProxySettings settings) {
        String host = settings.peers() != null ? settings.peers().advertiseHost() : System.getenv("HOSTNAME");
        return (host == null || host.isBlank() ? "tether-proxy" : host) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static SslContext tls() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS toward agents: " + e.getMessage(), e);
        }
    }

    /** Starts a proxy with its own metrics registry. It serves at once; {@code /readyz} turns ready when the informers have synced. */
    public static DispatchProxy start(KubernetesClient client, ProxySettings settings) {
        return new DispatchProxy(client, settings, Metrics.newRegistry("proxy"));
    }

    /** The bound port (still known after {@link #close()}). */
    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
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
        LOG.info("dispatch proxy stopping: draining {} in-flight dispatches", inFlight.count());
        server.stopAccepting();
        capacity.stopping();
        wakes.stopping();
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (inFlight.count() > 0 && System.nanoTime() - deadline < 0) {
            sleep(Duration.ofMillis(10));
        }
        int cancelled = inFlight.count();
        if (cancelled > 0) {
            LOG.warn("dispatch proxy cancelling {} dispatches still running after the drain timeout", cancelled);
            inFlight.forAll(e -> e.stop(StopReason.SHUTDOWN));
            long flushBy = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (inFlight.count() > 0 && System.nanoTime() - flushBy < 0) {
                sleep(Duration.ofMillis(10));
            }
        }
        release();
        LOG.info("dispatch proxy stopped");
    }

    private void release() {
        if (timer != null) {
            timer.close();
        }
        if (server != null) {
            server.close();
        }
        directory.close();
        peers.close();
        activity.close();
        if (scrapes != null) {
            scrapes.shutdownNow();
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        resolver.close();
        vettedResolver.close();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
