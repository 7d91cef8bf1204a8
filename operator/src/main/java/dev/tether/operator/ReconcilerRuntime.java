package dev.tether.operator;

import dev.tether.reconciler.WorkspaceReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;

/** The JOSDK operator running the Workspace reconciler, configured identically in production and tests. */
public final class ReconcilerRuntime implements AutoCloseable {
    public static final String LEASE_NAME = "tether-operator";
    private final Operator operator;

    private ReconcilerRuntime(Operator operator) {
        this.operator = operator;
    }

    public static ReconcilerRuntime start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry, Clock clock) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    // No server-side apply anywhere: the same code path on the mock API and in production.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10))
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
            if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME));
            }
        });
        operator.register(new WorkspaceReconciler(settings.reconciler(), clock), c -> {
            if (settings.namespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(new HashSet<>(settings.namespaces()));
            }
        });
        operator.start();
        return new ReconcilerRuntime(operator);
    }

    /** True once started and every informer is healthy (for /readyz). */
    public boolean healthy() {
        return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    @Override
    public void close() {
        operator.stop();
    }
}
