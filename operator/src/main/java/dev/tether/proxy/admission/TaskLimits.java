package dev.tether.proxy.admission;

import dev.tether.api.DispatchSpec;
import dev.tether.api.QueueSpec;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.api.WorkspaceSpec;
import dev.tether.api.WorkspaceStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What bounds a workspace's concurrent tasks, read from its cached resource: the limit ({@code spec.maxConcurrentTasks},
 * 1 when unset), whether the runtime owns sessions (then a busy workspace answers at once instead of queueing), the
 * queue's bounds, and the runtime's latest report of its active tasks. A report counts only while the workspace is not
 * Offline: a runtime that stopped heartbeating stops blocking slots once the operator marks it Offline.
 */
public record TaskLimits(int maxConcurrent, boolean ownsSession, int maxDepth, Duration maxWait, Report report) {
    public static final int DEFAULT_MAX_CONCURRENT = 1;

    /** Tasks the runtime said it was running, and when Tether heard it ({@code status.lastHeartbeatTime}). */
    public record Report(int activeTasks, Instant at) {
        public static final Report NONE = new Report(0, Instant.EPOCH);
    }

    public static TaskLimits of(Workspace ws) {
        WorkspaceSpec spec = ws.getSpec();
        WorkspaceStatus status = ws.getStatus();
        RuntimeStatus runtime = status == null ? null : status.getRuntime();
        Integer limit = spec == null ? null : spec.getMaxConcurrentTasks();
        DispatchSpec dispatch = spec == null ? null : spec.getDispatch();
        QueueSpec queue = dispatch == null ? null : dispatch.queue();
        Map<String, Boolean> capabilities = runtime == null ? null : runtime.capabilities();
        return new TaskLimits(limit == null || limit < 1 ? DEFAULT_MAX_CONCURRENT : limit,
                capabilities != null && Boolean.TRUE.equals(capabilities.get("session")),
                queue == null || queue.maxDepth() == null ? QueueSpec.DEFAULT_MAX_DEPTH : Math.max(0, queue.maxDepth()),
                Duration.ofSeconds(queue == null || queue.maxWaitSeconds() == null ? QueueSpec.DEFAULT_MAX_WAIT_SECONDS
                        : Math.max(1, queue.maxWaitSeconds())),
                report(status, runtime));
    }

    private static Report report(WorkspaceStatus status, RuntimeStatus runtime) {
        if (runtime == null || runtime.activeTasks() == null || runtime.activeTasks() <= 0 || status.getPhase() == WorkspacePhase.Offline
                || status.getLastHeartbeatTime() == null) {
            return Report.NONE;
        }
        try {
            return new Report(runtime.activeTasks(), Instant.parse(status.getLastHeartbeatTime()));
        } catch (DateTimeParseException e) {
            return Report.NONE;
        }
    }
}
