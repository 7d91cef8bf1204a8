package dev.tether.heartbeat;

import dev.tether.api.WorkspaceId;
import java.util.Map;

/**
 * One validated heartbeat, with the wire format's rules already applied. {@code declares} says whether the
 * beat carried {@code runtime_metadata} at all: a beat without it (runtimes send one at every task start and
 * end) says nothing about capabilities or the idle timeout. When it declares, {@code declaredIdleTimeout} is
 * null for none (absent, zero or negative) and {@code capabilities} null when it sent none.
 * {@code monthlySpendCents} is null when there is no update (0); blank strings are null; over-long texts
 * arrive already cut to their bound.
 */
public record Heartbeat(WorkspaceId workspace, Double errorRate, String sampleError, Integer activeTasks,
        Long uptimeSeconds, String currentTask, Long monthlySpendCents, String runtimeState,
        boolean declares, Map<String, Boolean> capabilities, Integer declaredIdleTimeout) {

    /** For error messages: a caller's long value, cut to something a log line can hold. */
    static String shorten(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
