package dev.tether.proxy.admission;

import dev.tether.api.WorkspaceId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Capacity's meters: {@code tether_proxy_queue_depth{workspace}}, {@code tether_proxy_queue_wait_seconds{outcome}}
 * (a histogram: forwarded, timeout, gone) and {@code tether_proxy_capacity_rejections_total{workspace,reason}}
 * (busy, queue_full, queue_timeout). Workspace series exist only for workspaces that were called and go when they are deleted.
 */
public final class CapacityMetrics {
    public enum Rejection { BUSY, QUEUE_FULL, QUEUE_TIMEOUT }

    public enum WaitOutcome { FORWARDED, TIMEOUT, GONE }

    private final MeterRegistry registry;
    private final Timer[] waits = new Timer[WaitOutcome.values().length];

    public CapacityMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (WaitOutcome outcome : WaitOutcome.values()) {
            waits[outcome.ordinal()] = Timer.builder("tether.proxy.queue.wait")
                    .description("How long calls waited for a task slot, by how the wait ended")
                    .tag("outcome", tag(outcome))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofHours(1))
                    .register(registry);
        }
    }

    void queueDepth(WorkspaceId workspace, IntSupplier depth) {
        Gauge.builder("tether.proxy.queue.depth", depth::getAsInt)
                .description("Calls waiting for a task slot")
                .tag("workspace", workspace.toString())
                .strongReference(true)
                .register(registry);
    }

    void waited(WaitOutcome outcome, long nanos) {
        waits[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    void rejected(WorkspaceId workspace, Rejection reason) {
        Counter.builder("tether.proxy.capacity.rejections")
                .description("Calls refused for capacity, by workspace and reason")
                .tag("workspace", workspace.toString())
                .tag("reason", tag(reason))
                .register(registry)
                .increment();
    }

    void deleted(WorkspaceId workspace) {
        registry.find("tether.proxy.queue.depth").tag("workspace", workspace.toString()).meters().forEach(registry::remove);
        registry.find("tether.proxy.capacity.rejections").tag("workspace", workspace.toString()).meters().forEach(registry::remove);
    }

    static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
