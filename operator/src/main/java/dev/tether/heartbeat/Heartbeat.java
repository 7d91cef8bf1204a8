package dev.tether.heartbeat;

import java.util.Map;

/**
 * One validated heartbeat, with the wire format's rules already applied: {@code declaredIdleTimeout}
 * is null when the runtime declared none (absent metadata, absent, zero or negative), {@code capabilities}
 * null when it sent none, {@code monthlySpendCents} null when there is no update (0), blank strings null.
 */
public record Heartbeat(WorkspaceRef workspace, Double errorRate, String sampleError, Integer activeTasks,
        Long uptimeSeconds, String currentTask, Long monthlySpendCents, String runtimeState,
        Map<String, Boolean> capabilities, Integer declaredIdleTimeout) {

    public static final String WEDGED = "wedged";

    public boolean wedged() {
        return WEDGED.equals(runtimeState);
    }

    /** For error messages: a caller's long value, cut to something a log line can hold. */
    static String shorten(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
