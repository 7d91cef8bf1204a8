package dev.tether.heartbeat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Heartbeats by result, status patches by reason, and how long a patch takes. */
public final class RegistryMetrics {
    private final MeterRegistry registry;
    private final Timer patchLatency;

    RegistryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.patchLatency = Timer.builder("tether_status_patch_duration")
                .description("Time to patch Workspace status from the registry endpoints")
                .publishPercentileHistogram()
                .register(registry);
    }

    public void request(String endpoint, String result) {
        Counter.builder("tether_registry_requests").description("Registry requests by endpoint and result")
                .tag("endpoint", endpoint).tag("result", result).register(registry).increment();
    }

    void patched(String reason) {
        Counter.builder("tether_status_patches").description("Workspace status patches by the registry endpoints")
                .tag("reason", reason).register(registry).increment();
    }

    Timer patchLatency() {
        return patchLatency;
    }
}
