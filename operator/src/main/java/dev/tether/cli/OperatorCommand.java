package dev.tether.cli;

import dev.tether.config.DurationConverter;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.reconciler.ReconcilerSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(usageHelpAutoWidth = true, name = "operator", mixinStandardHelpOptions = true,
        description = "Run the Workspace reconciler and the runtime heartbeat endpoint (POST /registry/heartbeat). "
                + "Serves /healthz, /readyz and /metrics on the same port. Every replica serves heartbeats; "
                + "with --leader-election only the leader reconciles.")
public final class OperatorCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "${env:TETHER_PORT:-8080}",
            description = "HTTP port for heartbeats, health and metrics. Env TETHER_PORT. Default: ${DEFAULT-VALUE}.")
    int port;

    @Mixin
    WatchOptions watch;

    @Mixin
    PolicyOptions policy;

    @Option(names = "--offline-after", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_OFFLINE_AFTER:-180s}",
            description = "A workspace with no heartbeat for this long goes Offline. Env TETHER_OFFLINE_AFTER. Default: ${DEFAULT-VALUE}.")
    Duration offlineAfter;

    @Option(names = "--heartbeat-status-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_HEARTBEAT_STATUS_INTERVAL:-60s}",
            description = "Refresh status.lastHeartbeatTime at most this often when nothing else changed. Env TETHER_HEARTBEAT_STATUS_INTERVAL. Default: ${DEFAULT-VALUE}.")
    Duration heartbeatStatusInterval;

    @Option(names = "--leader-election", defaultValue = "${env:TETHER_LEADER_ELECTION:-false}",
            description = "Reconcile only while holding a Lease, for several replicas. Env TETHER_LEADER_ELECTION. Default: ${DEFAULT-VALUE}.")
    boolean leaderElection;

    @Option(names = "--platform-url", paramLabel = "URL", defaultValue = "${env:TETHER_PLATFORM_URL:-}",
            description = "The one base URL runtimes and callers reach Tether at: the proxy's Service, which serves dispatches and relays "
                    + "/registry/* here. Discovery answers name workspaces under it. Empty: taken from each request's "
                    + "X-Forwarded-Proto/-Host, else its Host. Env TETHER_PLATFORM_URL. Default: empty.")
    String platformUrl;

    /** The validated settings; an invalid combination stops start-up naming the flag. */
    public OperatorSettings settings() {
        return new OperatorSettings(port, watch.namespaces(), watch.defaultNamespace(),
                new ReconcilerSettings(policy.settings(), offlineAfter), heartbeatStatusInterval, leaderElection, platformUrl,
                watch.activityNamespace());
    }

    @Override
    public Integer call() throws InterruptedException {
        OperatorSettings settings = settings();
        return RoleRunner.serve("operator", client -> OperatorRole.start(client, settings, Clock.systemUTC()));
    }
}
