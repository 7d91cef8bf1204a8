package dev.tether.heartbeat;

import dev.tether.api.RuntimeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether a heartbeat is worth a status write. Like node heartbeats moving to Leases: write at once
 * when something material changed; otherwise only refresh lastHeartbeatTime when it is due.
 */
public final class WriteEconomy {
    /** Why a heartbeat was (or was not) written. */
    public enum Decision { MATERIAL, REFRESH, SKIP }

    private WriteEconomy() {
    }

    /**
     * @param stored       the runtime report last known to be in status (null: none)
     * @param storedBeat   status.lastHeartbeatTime last known (null: none)
     * @param refreshEvery how old lastHeartbeatTime may get before a refresh is due
     * @param budgetCents  spec.budgetLimitCents (null: no budget)
     * @param wokenAt      when a waking workspace was scaled up (null: it is not waking): the first beat after it is
     *                     written at once, since held calls wait for it
     */
    public static Decision decide(RuntimeStatus stored, Instant storedBeat, RuntimeStatus next, Instant now,
            Duration refreshEvery, Long budgetCents, Instant wokenAt) {
        if (stored == null || storedBeat == null || materialChange(stored, next, budgetCents)) {
            return Decision.MATERIAL;
        }
        if (wokenAt != null && storedBeat.isBefore(wokenAt)) {
            return Decision.REFRESH;
        }
        boolean beatDue = Duration.between(storedBeat, now).compareTo(refreshEvery) >= 0;
        return beatDue || renewalDue(stored, next, now, refreshEvery) ? Decision.REFRESH : Decision.SKIP;
    }

    /**
     * A beat renewing the runtime's declaration is written as often as liveness is, so the stored declaration time
     * never falls behind by more than one refresh: partial beats in between would otherwise let it lapse.
     */
    private static boolean renewalDue(RuntimeStatus stored, RuntimeStatus next, Instant now, Duration refreshEvery) {
        if (next.declaredTime() == null || next.declaredTime().equals(stored.declaredTime())) {
            return false;
        }
        Instant declared = stored.declaredAt();
        return declared == null || Duration.between(declared, now).compareTo(refreshEvery) >= 0;
    }

    /** How often lastHeartbeatTime is refreshed: the configured interval, and at least three times per idle window. */
    public static Duration refreshEvery(Duration statusInterval, int idleWindowSeconds) {
        Duration third = Duration.ofMillis(idleWindowSeconds * 1000L / 3);
        return third.compareTo(statusInterval) < 0 ? third : statusInterval;
    }

    static boolean materialChange(RuntimeStatus stored, RuntimeStatus next, Long budgetCents) {
        return !Objects.equals(stored.capabilities(), next.capabilities())
                || !Objects.equals(stored.idleTimeoutSeconds(), next.idleTimeoutSeconds())
                || !Objects.equals(stored.state(), next.state())
                || !Objects.equals(stored.currentTask(), next.currentTask())
                || !Objects.equals(stored.activeTasks(), next.activeTasks())
                || errorBand(stored.errorRate()) != errorBand(next.errorRate())
                || overBudget(stored.monthlySpendCents(), budgetCents) != overBudget(next.monthlySpendCents(), budgetCents);
    }

    /** The error-rate bands the reconciler's Degraded rule distinguishes: below 0.1, between, at or above 0.5. */
    private static int errorBand(Double rate) {
        double r = rate == null ? 0 : rate;
        return r >= 0.5 ? 2 : r >= 0.1 ? 1 : 0;
    }

    private static boolean overBudget(Long spend, Long budget) {
        return budget != null && spend != null && spend >= budget;
    }
}
