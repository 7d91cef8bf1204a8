package dev.tether.cli;

import dev.tether.config.DurationConverter;
import dev.tether.kube.KubeClients;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxySettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.Callable;
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

    /** The settings these flags describe; invalid ones stop start-up naming the flag. */
    ProxySettings settings() {
        return ProxySettings.builder()
                .port(port)
                .namespaces(watch.namespaces())
                .defaultNamespace(watch.defaultNamespace())
                .defaultIdleTimeout(defaultIdleTimeout)
                .sseKeepalive(sseKeepalive)
                .drainTimeout(shutdownGrace)
                .build();
    }

    /** Serves until SIGTERM, then stops accepting and drains in-flight dispatches before exiting. */
    @Override
    public Integer call() throws InterruptedException {
        ProxySettings settings = settings();
        KubernetesClient client = KubeClients.standard();
        DispatchProxy proxy;
        try {
            proxy = DispatchProxy.start(client, settings);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            client.close();
        }, "tether-proxy-shutdown"));
        proxy.awaitClosed();
        return 0;
    }
}
