package dev.tether.heartbeat;

import dev.tether.api.RuntimeStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns a heartbeat into the {@code status.runtime} it asks for. Runtimes send partial beats (no
 * {@code runtime_metadata}, {@code uptime_seconds} 0) at every task start and end: such a beat reports the
 * task counters and errors but says nothing about capabilities, the idle timeout or uptime, so those keep
 * their stored values. A declaration lapses when no beat has renewed it for {@code lapseAfter} (a runtime
 * rolled back to a version that never declares falls back to the default within that window).
 */
final class RuntimeReports {
    private RuntimeReports() {
    }

    /**
     * @param stored     the runtime report last known to be in status (null: none)
     * @param storedBeat status.lastHeartbeatTime last known: when a report written before declarations carried
     *                   their own time was declared, at the latest
     */
    static RuntimeStatus next(RuntimeStatus stored, Instant storedBeat, Heartbeat beat, Instant now, Duration lapseAfter) {
        Long spend = beat.monthlySpendCents() != null ? beat.monthlySpendCents()
                : stored == null ? null : stored.monthlySpendCents();
        Long uptime = beat.declares() || (beat.uptimeSeconds() != null && beat.uptimeSeconds() > 0) || stored == null
                ? beat.uptimeSeconds() : stored.uptimeSeconds();
        if (beat.declares()) {
            return new RuntimeStatus(beat.capabilities(), beat.declaredIdleTimeout(), beat.runtimeState(), beat.activeTasks(),
                    beat.currentTask(), beat.errorRate(), beat.sampleError(), uptime, spend, now.toString());
        }
        boolean kept = stored != null && declarationHolds(stored, storedBeat, now, lapseAfter);
        return new RuntimeStatus(kept ? stored.capabilities() : null, kept ? stored.idleTimeoutSeconds() : null, beat.runtimeState(),
                beat.activeTasks(), beat.currentTask(), beat.errorRate(), beat.sampleError(), uptime, spend,
                kept ? stored.declaredTime() : null);
    }

    private static boolean declarationHolds(RuntimeStatus stored, Instant storedBeat, Instant now, Duration lapseAfter) {
        if (stored.capabilities() == null && stored.idleTimeoutSeconds() == null) {
            return false;
        }
        Instant since = stored.declaredAt() != null ? stored.declaredAt() : storedBeat;
        return since != null && Duration.between(since, now).compareTo(lapseAfter) < 0;
    }
}
