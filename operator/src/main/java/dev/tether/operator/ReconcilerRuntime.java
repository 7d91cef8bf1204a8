package dev.tether.operator;

import dev.tether.provisioning.ProvisioningSettings;
import dev.tether.reconciler.WorkspaceReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JOSDK operator running the Workspace reconciler, configured identically in production and tests. */
public final class ReconcilerRuntime implements AutoCloseable {
    public static final String LEASE_NAME = "tether-operator";
    private static final Logger LOG = LoggerFactory.getLogger(ReconcilerRuntime.class);
    private final Operator operator;
    private final AtomicBoolean closing;

    private ReconcilerRuntime(Operator operator, AtomicBoolean closing) {
        this.operator = operator;
        this.closing = closing;
    }

    public static ReconcilerRuntime start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry, Clock clock) {
        AtomicBoolean closing = new AtomicBoolean(false);
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    // No server-side apply anywhere: the same code path on the mock API and in production.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10))
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
            if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(leaderElection(closing));
            }
        });
        operator.register(new WorkspaceReconciler(settings.reconciler(),
                new ProvisioningSettings(settings.defaultNamespace(), settings.platformUrl(), settings.activityNamespace()), clock), c -> {
            if (settings.namespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(new HashSet<>(settings.namespaces()));
            }
        });
        operator.start();
        return new ReconcilerRuntime(operator, closing);
    }

    /**
     * A Lease in the operator's namespace, held by a unique identity per replica. Losing it while
     * running exits the process so the pod restarts clean; our own shutdown does not exit (JOSDK's own exit would
     * run inside the shutdown hook and hang the JVM), nor release the Lease (JOSDK 5.2.3 does not): a standby takes
     * over once it expires.
     */
    private static LeaderElectionConfiguration leaderElection(AtomicBoolean closing) {
        String host = System.getenv("HOSTNAME");
        String identity = (host == null || host.isBlank() ? "tether" : host) + "-" + UUID.randomUUID().toString().substring(0, 8);
        LeaderCallbacks callbacks = new LeaderCallbacks(
                () -> LOG.atInfo().addKeyValue("identity", identity).log("became leader; reconciling"),
                () -> {
                    if (!closing.get()) {
                        LOG.atError().addKeyValue("identity", identity).log("lost the leader Lease; exiting so the pod restarts");
                        new Thread(() -> System.exit(1), "lost-leadership-exit").start();
                    }
                },
                leader -> LOG.atInfo().addKeyValue("leader", leader).log("leader is {}", leader));
        return new LeaderElectionConfiguration(LEASE_NAME, null, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2), identity, callbacks, false);
    }

    /**
     * For {@code /readyz}, as Flink's {@code HealthProbe} asks JOSDK: started, and every informer of the reconciler
     * running, synced and watching (false while the API server is unreachable). A standby waiting for the Lease counts
     * as healthy: its registry endpoints serve.
     */
    public boolean healthy() {
        return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    @Override
    public void close() {
        closing.set(true);
        operator.stop();
    }
}
