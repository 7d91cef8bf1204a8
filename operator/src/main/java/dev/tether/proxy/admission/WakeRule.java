package dev.tether.proxy.admission;

import dev.tether.api.HibernationState;
import dev.tether.api.HibernationStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceStatus;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Whether a call to a workspace must be held for its runtime to wake. Pure: reads the cached resource and one fact about its endpoints. */
public final class WakeRule {
    private WakeRule() {
    }

    /**
     * True while the workspace is hibernated, or waking and not yet ready: ready means a replica to send to (a ready
     * endpoint, or spec.url) and a heartbeat recorded since it was scaled up, so the runtime that answers is the woken one.
     * A suspended workspace is never held: it is refused (suspend does not wake). {@code readyEndpoint} is asked only for a
     * waking workspace, so the calls to every other one pay for no lookup.
     */
    public static boolean mustHold(Workspace ws, BooleanSupplier readyEndpoint) {
        WorkspaceStatus status = ws.getStatus();
        HibernationStatus sleep = status == null ? null : status.getHibernation();
        if (ws.suspended() || !ws.provisioned() || sleep == null || sleep.state() == null || sleep.state() == HibernationState.Awake) {
            return false;
        }
        if (sleep.state() == HibernationState.Hibernated) {
            return true;
        }
        Instant wokenAt = status.hibernationSince(HibernationState.Waking);
        Instant lastBeat = status.lastHeartbeat();
        boolean heartbeatSinceWake = lastBeat != null && wokenAt != null && !lastBeat.isBefore(wokenAt);
        return !(heartbeatSinceWake && (ws.getSpec().getUrl() != null || readyEndpoint.getAsBoolean()));
    }

    /** When the workspace fell asleep, while it is hibernated; null otherwise. */
    public static Instant asleepSince(Workspace ws) {
        return ws.getStatus() == null ? null : ws.getStatus().hibernationSince(HibernationState.Hibernated);
    }
}
