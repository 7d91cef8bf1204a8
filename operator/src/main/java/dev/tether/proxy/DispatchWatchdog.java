package dev.tether.proxy;

import dev.tether.api.WorkspaceId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer behind every in-flight dispatch: a single scheduler thread holds one pending check per
 * dispatch (cancelled checks leave its queue at once). A check re-reads the workspace's idle window from
 * the informer cache, fires the idle timeout or the ceiling by cancelling the upstream call, and sends
 * SSE keepalives to callers of silent streams; otherwise it books the next check at the earliest
 * deadline. Agent bytes and heartbeats only move a timestamp; no queue work per byte.
 */
final class DispatchWatchdog implements WorkspaceDirectory.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchWatchdog.class);

    private final ScheduledThreadPoolExecutor timer;
    private final Function<WorkspaceId, Optional<IdleWindow>> windows;
    private final long keepaliveNanos;
    private final Map<WorkspaceId, Set<Dispatch>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    /** @param windows the current idle window of a workspace, from the informer cache */
    DispatchWatchdog(Function<WorkspaceId, Optional<IdleWindow>> windows, Duration sseKeepalive) {
        this.windows = windows;
        this.keepaliveNanos = sseKeepalive.toNanos();
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tether-dispatch-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    void register(Dispatch d) {
        inFlight.compute(d.workspace(), (k, set) -> {
            Set<Dispatch> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(d);
            return s;
        });
        count.incrementAndGet();
        // Evaluated here, on the dispatch's own thread, so the first check is booked at the deadline: most
        // dispatches finish long before it and never wake the timer. Reading the window after joining the
        // in-flight set means a policy change racing with this registration is still seen.
        long next = evaluate(d, System.nanoTime());
        if (next >= 0) {
            schedule(d, next);
        }
    }

    /** The dispatch is over (idempotent): its pending check leaves the queue. */
    void finish(Dispatch d) {
        synchronized (d) {
            if (d.finished) {
                return;
            }
            d.finished = true;
            if (d.nextCheck != null) {
                d.nextCheck.cancel(false);
            }
        }
        inFlight.computeIfPresent(d.workspace(), (k, set) -> {
            set.remove(d);
            return set.isEmpty() ? null : set;
        });
        count.decrementAndGet();
    }

    /** A caller stream opened: check now so keepalives start on time. */
    void streamOpened(Dispatch d) {
        schedule(d, 0);
    }

    int inFlight() {
        return count.get();
    }

    @Override
    public void healthyHeartbeat(WorkspaceId workspace) {
        Set<Dispatch> set = inFlight.get(workspace);
        if (set != null) {
            set.forEach(Dispatch::progress);
        }
    }

    @Override
    public void policyChanged(WorkspaceId workspace) {
        Set<Dispatch> set = inFlight.get(workspace);
        if (set != null) {
            set.forEach(d -> schedule(d, 0));
        }
    }

    /** Cancels every dispatch still in flight (after the drain grace ran out). */
    int stopAll(StopReason reason) {
        int stopped = 0;
        for (Set<Dispatch> set : inFlight.values()) {
            for (Dispatch d : set) {
                stopped += d.stop(reason) ? 1 : 0;
            }
        }
        return stopped;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void schedule(Dispatch d, long delayNanos) {
        synchronized (d) {
            if (d.finished) {
                return;
            }
            if (d.nextCheck != null) {
                d.nextCheck.cancel(false);
            }
            try {
                d.nextCheck = timer.schedule(() -> check(d), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                d.nextCheck = null; // shutting down; stopAll ends what is left
            }
        }
    }

    private void check(Dispatch d) {
        try {
            long next = evaluate(d, System.nanoTime());
            if (next >= 0) {
                schedule(d, next);
            }
        } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).log("watchdog check of a dispatch to {} failed: {}; retrying in 1 s", d.workspace(), e.toString());
            schedule(d, TimeUnit.SECONDS.toNanos(1));
        }
    }

    /** Fires what is due; returns the delay to the next check, or -1 when the dispatch is ending. */
    private long evaluate(Dispatch d, long now) {
        if (d.stopReason() != null) {
            return -1;
        }
        if (d.ceilingPassed(now)) {
            d.stop(StopReason.ceiling(d.ceiling()));
            return -1;
        }
        IdleWindow window = windows.apply(d.workspace()).map(d.window()::changedTo).orElse(d.window());
        d.window(window);
        long idleAt = d.lastProgressNanos() + window.nanos();
        if (now - idleAt >= 0) {
            d.stop(StopReason.idle(window));
            return -1;
        }
        long next = idleAt - now;
        if (d.ceiling().exists()) {
            next = Math.min(next, d.ceilingAtNanos() - now);
        }
        CallerStream stream = d.stream();
        if (stream != null) {
            long keepaliveAt = stream.lastWriteNanos() + keepaliveNanos;
            if (now - keepaliveAt >= 0) {
                stream.keepalive();
                keepaliveAt = now + keepaliveNanos;
            }
            next = Math.min(next, keepaliveAt - now);
        }
        return next;
    }
}
