package dev.tether.proxy;

import dev.tether.api.WorkspaceId;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;

/**
 * One in-flight dispatch as the watchdog sees it: when the agent (or a healthy heartbeat) last showed
 * progress, its ceiling, the upstream call to cancel, and the caller's stream once one is open.
 * Progress is a volatile write, cheap enough for every read from the agent.
 */
final class Dispatch {
    private final WorkspaceId workspace;
    private final Ceiling ceiling;
    private final long startedNanos;
    private final AtomicReference<StopReason> stop = new AtomicReference<>();
    private volatile long lastProgressNanos;
    private volatile IdleWindow window;
    private volatile Call call;
    private volatile CallerStream stream;

    // Owned by DispatchWatchdog, guarded by this.
    ScheduledFuture<?> nextCheck;
    boolean finished;

    Dispatch(WorkspaceId workspace, Ceiling ceiling, IdleWindow window) {
        this.workspace = workspace;
        this.ceiling = ceiling;
        this.window = window;
        this.startedNanos = System.nanoTime();
        this.lastProgressNanos = startedNanos;
    }

    WorkspaceId workspace() {
        return workspace;
    }

    Ceiling ceiling() {
        return ceiling;
    }

    long startedNanos() {
        return startedNanos;
    }

    /** The agent sent bytes, or a healthy heartbeat was observed: the idle clock starts again. */
    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    long lastProgressNanos() {
        return lastProgressNanos;
    }

    /** The window this dispatch holds: the workspace's at the start, then as {@link IdleWindow#changedTo} allows; kept when the workspace disappears. */
    IdleWindow window() {
        return window;
    }

    void window(IdleWindow latest) {
        window = latest;
    }

    boolean ceilingPassed(long nowNanos) {
        return ceiling.exists() && nowNanos - startedNanos >= ceiling.seconds() * 1_000_000_000L;
    }

    long ceilingAtNanos() {
        return startedNanos + ceiling.seconds() * 1_000_000_000L;
    }

    /** Ends the dispatch for {@code reason} unless something already did; cancels the upstream call. */
    boolean stop(StopReason reason) {
        if (!stop.compareAndSet(null, reason)) {
            return false;
        }
        Call c = call;
        if (c != null) {
            c.cancel();
        }
        return true;
    }

    StopReason stopReason() {
        return stop.get();
    }

    void attach(Call upstream) {
        call = upstream;
        if (stop.get() != null) {
            upstream.cancel();
        }
    }

    void attach(CallerStream caller) {
        stream = caller;
    }

    CallerStream stream() {
        return stream;
    }
}
