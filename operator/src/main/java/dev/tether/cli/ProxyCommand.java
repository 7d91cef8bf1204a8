package dev.tether.cli;

import dev.tether.config.DurationConverter;
import dev.tether.config.InvalidSettingException;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(usageHelpAutoWidth = true, name = "proxy", mixinStandardHelpOptions = true,
        description = "Run the A2A dispatch proxy: POST /workspaces/{namespace}/{name}/a2a, enforcing each workspace's "
                + "idle timeout, ceiling and streaming rules read live from Workspace status. "
                + "Serves /healthz, /readyz and /metrics on the same port.")
public final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "${env:TETHER_PORT:-8090}",
            description = "HTTP port for dispatch, health and metrics. Env TETHER_PORT. Default: ${DEFAULT-VALUE}.")
    int port;

    @Mixin
    WatchOptions watch;

    @Option(names = "--default-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_DEFAULT_IDLE_TIMEOUT:-300s}",
            description = "Idle timeout for a workspace whose status.dispatch the reconciler has not written yet. Env TETHER_DEFAULT_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration defaultIdleTimeout;

    @Option(names = "--sse-keepalive", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_SSE_KEEPALIVE:-15s}",
            description = "Send an SSE comment to the caller after this long without agent events. Env TETHER_SSE_KEEPALIVE. Default: ${DEFAULT-VALUE}.")
    Duration sseKeepalive;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_SHUTDOWN_GRACE:-30s}",
            description = "On SIGTERM, how long in-flight dispatches may finish before they are cancelled; keep it below the pod's termination grace. Env TETHER_SHUTDOWN_GRACE. Default: ${DEFAULT-VALUE}.")
    Duration shutdownGrace;
    @Option(names = "--registry-url", paramLabel = "URL", defaultValue = "${env:TETHER_REGISTRY_URL:-}",
            description = "The operator's base URL: /registry/* (heartbeats, registration, discovery) is relayed there, so runtimes "
                    + "use this proxy as their one PLATFORM_URL. Empty: /registry/* answers 404 here. Env TETHER_REGISTRY_URL. Default: empty.")
    String registryUrl;

    @Option(names = "--event-loops", paramLabel = "N", defaultValue = "${env:TETHER_EVENT_LOOPS:-0}",
            description = "Threads serving callers and agents; a dispatch stays on one from its first byte to its last. "
                    + "0: one per core the JVM may use. Env TETHER_EVENT_LOOPS. Default: ${DEFAULT-VALUE}.")
    int eventLoops;

    @Option(names = "--trust-forwarded-headers", defaultValue = "${env:TETHER_TRUST_FORWARDED_HEADERS:-false}",
            description = "Name the address in X-Forwarded-Proto/-Host (set by an ingress in front of the proxy) in served agent "
                    + "cards. Off, cards name the Host the caller used: a caller cannot choose what they say. "
                    + "Env TETHER_TRUST_FORWARDED_HEADERS. Default: ${DEFAULT-VALUE}.")
    boolean trustForwardedHeaders;

    @Option(names = "--allow-registered-networks", paramLabel = "CIDR", split = ",",
            defaultValue = "${env:TETHER_ALLOW_REGISTERED_NETWORKS:-}",
            description = "Networks where a URL a runtime registered may lead although the proxy refuses it otherwise (loopback, "
                    + "link-local, metadata addresses; never the cluster's API server), e.g. 127.0.0.0/8 when agents run on this machine. "
                    + "spec.url is not judged. Env TETHER_ALLOW_REGISTERED_NETWORKS. Default: none.")
    List<String> allowedRegisteredNetworks;

    @Option(names = "--peer-service", paramLabel = "NAME", defaultValue = "${env:TETHER_PEER_SERVICE:-}",
            description = "The proxy's own Service: its ready endpoints are the proxy replicas, which hold each workspace's task slots "
                    + "(maxConcurrentTasks) one replica per workspace and relay task calls to it. Needs --peer-namespace and "
                    + "--advertise-host. Env TETHER_PEER_SERVICE. Default: none (this proxy is the only replica).")
    String peerService;

    @Option(names = "--peer-namespace", paramLabel = "NAMESPACE", defaultValue = "${env:TETHER_PEER_NAMESPACE:-}",
            description = "The namespace of --peer-service (the proxy's own). Env TETHER_PEER_NAMESPACE.")
    String peerNamespace;

    @Option(names = "--advertise-host", paramLabel = "IP", defaultValue = "${env:TETHER_ADVERTISE_HOST:-}",
            description = "This replica's address among the endpoints of --peer-service (its pod IP). Env TETHER_ADVERTISE_HOST.")
    String advertiseHost;

    @Option(names = "--canvas-token-file", paramLabel = "FILE",
            description = "Require canvas calls (no X-Workspace-ID) to carry Authorization: Bearer <the token in FILE>. "
                    + "The token may instead come from env " + CANVAS_TOKEN_ENV + " (the chart sets it from a Secret). "
                    + "Neither: canvas calls are open. Agent-to-agent calls always need the calling workspace's token.")
    Path canvasTokenFile;

    /** The canvas token itself: an environment variable, never a flag (flags show in process listings). */
    public static final String CANVAS_TOKEN_ENV = "TETHER_CANVAS_TOKEN";

    /** Where environment variables come from; tests replace it. */
    Function<String, String> environment = System::getenv;

    /** The settings these flags describe; invalid ones stop start-up naming the flag. */
    ProxySettings settings() {
        return ProxySettings.builder()
                .port(port)
                .namespaces(watch.namespaces())
                .defaultNamespace(watch.defaultNamespace())
                .activityNamespace(watch.activityNamespace())
                .defaultIdleTimeout(defaultIdleTimeout)
                .sseKeepalive(sseKeepalive)
                .drainTimeout(shutdownGrace)
                .canvasToken(canvasToken())
                .registryUrl(registryUrl)
                .eventLoops(eventLoops)
                .trustForwardedHeaders(trustForwardedHeaders)
                .allowedRegisteredNetworks(allowedRegisteredNetworks == null ? List.of()
                        : allowedRegisteredNetworks.stream().filter(s -> !s.isBlank()).toList())
                .peers(peerService == null || peerService.isBlank() ? null
                        : new ProxySettings.Peers(peerNamespace, peerService, advertiseHost))
                .build();
    }

    /** The canvas token from the file or the environment; null when neither is set. */
    private String canvasToken() {
        String fromEnv = environment.apply(CANVAS_TOKEN_ENV);
        boolean envSet = fromEnv != null && !fromEnv.isEmpty();
        if (canvasTokenFile == null) {
            return envSet ? fromEnv : null;
        }
        if (envSet) {
            throw new InvalidSettingException("--canvas-token-file", "give the canvas token once: either the file or "
                    + CANVAS_TOKEN_ENV + ", not both");
        }
        try {
            return Files.readString(canvasTokenFile);
        } catch (IOException e) {
            throw new InvalidSettingException("--canvas-token-file", "cannot read " + canvasTokenFile + ": " + e.getMessage());
        }
    }

    /** Serves until SIGTERM, then stops accepting and drains in-flight dispatches before exiting. */
    @Override
    public Integer call() throws InterruptedException {
        ProxySettings settings = settings();
        return RoleRunner.serve("proxy", client -> DispatchProxy.start(client, settings));
    }
}
