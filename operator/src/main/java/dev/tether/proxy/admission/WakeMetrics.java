package dev.tether.proxy.admission;

import dev.tether.api.WorkspaceId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Wake meters: {@code tether_proxy_wakes_total{workspace}} (wakes this replica asked for), {@code tether_proxy_cold_start_seconds}
 * (a histogram of how long held calls waited, from arrival to going on to the agent), {@code tether_proxy_wake_held_calls}
 * (calls held now) and {@code tether_proxy_wake_timeouts_total} (held calls answered 503 because the runtime did not wake in time).
 */
public final class WakeMetrics {
    private final MeterRegistry registry;
    private final Timer coldStarts;
    private final Counter timeouts;

    public WakeMetrics(MeterRegistry registry, IntSupplier held) {
        this.registry = registry;
        coldStarts = Timer.builder("tether.proxy.cold.start")
                .description("How long calls to a hibernated workspace were held, from arrival until they went on to the woken runtime")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        timeouts = Counter.builder("tether.proxy.wake.timeouts")
                .description("Held calls answered 503 because the runtime did not wake within spec.hibernation.wakeTimeoutSeconds")
                .register(registry);
        Gauge.builder("tether.proxy.wake.held.calls", held::getAsInt).description("Calls held while their workspace wakes")
                .strongReference(true).register(registry);
    }

    void wake(WorkspaceId workspace) {
        Counter.builder("tether.proxy.wakes").description("Wakes this replica asked for, by workspace")
                .tag("workspace", workspace.toString()).register(registry).increment();
    }

    void coldStart(long nanos) {
        coldStarts.record(nanos, TimeUnit.NANOSECONDS);
    }

    void timedOut() {
        timeouts.increment();
    }

    void deleted(WorkspaceId workspace) {
        registry.find("tether.proxy.wakes").tag("workspace", workspace.toString()).meters().forEach(registry::remove);
    }
}
