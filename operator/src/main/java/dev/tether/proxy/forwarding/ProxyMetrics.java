package dev.tether.proxy.forwarding;

import dev.tether.api.WorkspaceId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * The proxy's meters: {@code tether_proxy_dispatches_total{workspace,outcome}},
 * {@code tether_proxy_dispatch_duration_seconds{outcome}} (a histogram), {@code tether_proxy_dispatches_in_flight},
 * and {@code tether_proxy_card_fetches_total{outcome}}. Counters are resolved once per workspace and kept with it,
 * not looked up per dispatch. Workspace tags name only existing workspaces, so a caller cannot grow the series by
 * inventing names; a deleted workspace's series go.
 */
public final class ProxyMetrics {
    public static final String UNKNOWN_WORKSPACE = "unknown";

    private final MeterRegistry registry;
    private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);
    private final Map<String, AtomicReferenceArray<Counter>> dispatches = new ConcurrentHashMap<>();
    private final Map<Outcome, Counter> cardFetches = new EnumMap<>(Outcome.class);

    public ProxyMetrics(MeterRegistry registry, IntSupplier inFlight) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            durations.put(outcome, Timer.builder("tether.proxy.dispatch.duration")
                    .description("How long dispatches took, by outcome")
                    .tag("outcome", outcome.tag())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(5))
                    .maximumExpectedValue(Duration.ofHours(2))
                    .register(registry));
            cardFetches.put(outcome, Counter.builder("tether.proxy.card.fetches")
                    .description("Agent-card fetches from agents, by outcome")
                    .tag("outcome", outcome.tag())
                    .register(registry));
        }
        Gauge.builder("tether.proxy.dispatches.in.flight", inFlight::getAsInt)
                .description("Exchanges waiting on or streaming from an agent")
                .register(registry);
    }

    /** A dispatch ended; {@code workspace} null for a request refused before its workspace was known to exist. */
    public void dispatch(WorkspaceId workspace, Outcome outcome, long startedNanos) {
        String tag = workspace == null ? UNKNOWN_WORKSPACE : workspace.toString();
        AtomicReferenceArray<Counter> counters = dispatches.computeIfAbsent(tag, t -> new AtomicReferenceArray<>(Outcome.values().length));
        Counter counter = counters.get(outcome.ordinal());
        if (counter == null) { // the first of this outcome for the workspace: a series appears only once it counts something
            counter = Counter.builder("tether.proxy.dispatches")
                    .description("Dispatches by workspace and outcome")
                    .tag("workspace", tag)
                    .tag("outcome", outcome.tag())
                    .register(registry);
            counters.set(outcome.ordinal(), counter);
        }
        counter.increment();
        durations.get(outcome).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    public void cardFetch(Outcome outcome) {
        cardFetches.get(outcome).increment();
    }

    /** Drops a deleted workspace's series; a dispatch to it that ends later records one again. */
    public void deleted(WorkspaceId workspace) {
        dispatches.remove(workspace.toString());
        registry.find("tether.proxy.dispatches").tag("workspace", workspace.toString()).counters().forEach(registry::remove);
    }
}
