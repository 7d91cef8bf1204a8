package dev.tether.proxy;

import dev.tether.api.WorkspaceId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The proxy's meters: {@code tether_proxy_dispatches_total{workspace,outcome}},
 * {@code tether_proxy_dispatch_duration_seconds{outcome}} (a histogram) and
 * {@code tether_proxy_dispatches_in_flight}. Workspace tags name only existing workspaces, so a caller
 * cannot grow the series by inventing names.
 */
final class ProxyMetrics implements WorkspaceDirectory.Listener {
    static final String UNKNOWN_WORKSPACE = "unknown";

    private final MeterRegistry registry;
    private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);

    ProxyMetrics(MeterRegistry registry, IntSupplier inFlight) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            durations.put(outcome, Timer.builder("tether.proxy.dispatch.duration")
                    .description("How long dispatches took, by outcome")
                    .tag("outcome", outcome.tag())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(5))
                    .maximumExpectedValue(Duration.ofHours(2))
                    .register(registry));
        }
        Gauge.builder("tether.proxy.dispatches.in.flight", inFlight::getAsInt)
                .description("Dispatches waiting on or streaming from an agent")
                .register(registry);
    }

    /**
     * Drops a deleted workspace's series, so names that come and go do not grow the scrape forever. A
     * dispatch to it that ends later records one series again; the next deletion of that name drops it.
     */
    @Override
    public void deleted(WorkspaceId workspace) {
        registry.find("tether.proxy.dispatches").tag("workspace", workspace.toString()).counters().forEach(registry::remove);
    }

    void record(String workspace, Outcome outcome, long startedNanos) {
        Counter.builder("tether.proxy.dispatches")
                .description("Dispatches by workspace and outcome")
                .tag("workspace", workspace)
                .tag("outcome", outcome.tag())
                .register(registry)
                .increment();
        durations.get(outcome).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
}
