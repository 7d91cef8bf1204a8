package dev.tether.heartbeat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/** What every registry endpoint works with: the API, the caches, the settings, the clock and the meters. */
public record RegistryContext(KubernetesClient client, RegistryCaches caches, HeartbeatSettings settings, Clock clock,
        RegistryMetrics metrics) {

    public RegistryContext(KubernetesClient client, RegistryCaches caches, HeartbeatSettings settings, Clock clock,
            MeterRegistry registry) {
        this(client, caches, settings, clock, new RegistryMetrics(registry));
    }
}
