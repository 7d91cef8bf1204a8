package dev.tether.heartbeat;

import dev.tether.api.RuntimeStatus;

/** Turns a heartbeat into the {@code status.runtime} it asks for. */
final class RuntimeReports {
    private RuntimeReports() {
    }

    /** Every field from the beat, except monthly spend, which keeps its stored value when the beat sends no update. */
    static RuntimeStatus next(RuntimeStatus stored, Heartbeat beat) {
        Long spend = beat.monthlySpendCents() != null ? beat.monthlySpendCents()
                : stored == null ? null : stored.monthlySpendCents();
        return new RuntimeStatus(beat.capabilities(), beat.declaredIdleTimeout(), beat.runtimeState(), beat.activeTasks(),
                beat.currentTask(), beat.errorRate(), beat.sampleError(), beat.uptimeSeconds(), spend);
    }
}
