package dev.tether.proxy.admission;

import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One workspace's task slots on this proxy: the tasks in flight, the FIFO of calls waiting, the runtime's latest
 * report and the tasks that ended since it. Calls arrive on many event loops, so state changes under the object's
 * lock; waiters are told on their own loop, outside it.
 */
final class TaskSlots {
    private final WorkspaceId workspace;
    private final CapacityMetrics metrics;
    private TaskLimits limits;
    private int inFlight;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final ArrayDeque<Instant> ends = new ArrayDeque<>();
    private boolean deleted;
    private boolean stopping;

    TaskSlots(WorkspaceId workspace, TaskLimits limits, CapacityMetrics metrics) {
        this.workspace = workspace;
        this.limits = limits;
        this.metrics = metrics;
        metrics.queueDepth(workspace, this::depth);
    }

    /** A call with the workspace's limits as the call saw them: granted, refused or queued; told on its loop or at once. */
    Capacity.Place enter(TaskLimits latest, Waiter waiter) {
        HttpError refusal;
        synchronized (this) {
            // The runtime's report is taken from the informer's order (observed), never from a call's older snapshot.
            update(latest, limits.report());
            switch (SlotRule.decide(occupied(), queue.size(), limits)) {
                case GO -> {
                    inFlight++;
                    refusal = null;
                }
                case QUEUE -> {
                    if (stopping) {
                        refusal = stoppingRefusal();
                        break;
                    }
                    Queued q = new Queued(this, waiter, System.nanoTime());
                    queue.add(q);
                    q.timeout = waiter.loop().schedule(() -> expire(q), limits.maxWait().toNanos(), TimeUnit.NANOSECONDS);
                    return q;
                }
                case BUSY -> refusal = busy();
                case QUEUE_FULL -> refusal = queueFull();
                default -> throw new IllegalStateException();
            }
        }
        if (refusal == null) {
            waiter.granted(new Slot(this));
        } else {
            waiter.refused(refusal);
        }
        return Capacity.Place.NONE;
    }

    /** The workspace changed in the cache: a new report or limit may free slots for those waiting. */
    void observed(TaskLimits latest) {
        List<Queued> go;
        synchronized (this) {
            update(latest, latest.report());
            go = admitWaiting();
        }
        grant(go);
    }

    /** A waiting call's caller left: it gives up its place. */
    private void cancel(Queued q) {
        synchronized (this) {
            if (!queue.remove(q)) {
                return;
            }
        }
        q.timeout.cancel(false);
        metrics.waited(CapacityMetrics.WaitOutcome.GONE, System.nanoTime() - q.since);
    }

    void released() {
        List<Queued> go;
        synchronized (this) {
            inFlight--;
            // Ends matter only against a report that cannot know of them, and no more of them than it counts.
            int reported = limits.report().activeTasks();
            if (reported > 0) {
                ends.add(Instant.now());
                if (ends.size() > reported) {
                    ends.poll();
                }
            }
            go = admitWaiting();
        }
        grant(go);
    }

    /** The workspace is gone: whoever waits is told so. */
    void deleted() {
        synchronized (this) {
            deleted = true;
        }
        refuseWaiting(new HttpError(404, "workspace " + workspace + " was deleted while the call waited",
                Map.of("workspace", workspace.toString()), Map.of()));
    }

    /** This proxy is stopping: whoever waits is told to retry (another replica takes the workspace), and nobody new waits. */
    void stopping() {
        synchronized (this) {
            stopping = true;
        }
        refuseWaiting(stoppingRefusal());
    }

    private void refuseWaiting(HttpError refusal) {
        List<Queued> waiting;
        synchronized (this) {
            waiting = new ArrayList<>(queue);
            queue.clear();
        }
        for (Queued q : waiting) {
            q.timeout.cancel(false);
            q.waiter.loop().execute(() -> q.waiter.refused(refusal));
        }
    }

    private HttpError stoppingRefusal() {
        return new HttpError(503, "the proxy replica holding the task slots of workspace " + workspace + " is stopping; retry",
                Map.of("workspace", workspace.toString(), "busy", true, "reason", "stopping"), Map.of("Retry-After", "1"));
    }

    synchronized int depth() {
        return queue.size();
    }

    private void expire(Queued q) {
        HttpError refusal;
        synchronized (this) {
            if (!queue.remove(q)) {
                return;
            }
            long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - q.since);
            refusal = new HttpError(503, "workspace " + workspace + " stayed busy: the call waited " + waited
                    + " s (spec.dispatch.queue.maxWaitSeconds) for one of its " + limits.maxConcurrent() + " task slots; retry later",
                    Map.of("workspace", workspace.toString(), "busy", true, "reason", "queue_timeout", "waited_seconds", waited,
                            "active", occupied(), "limit", limits.maxConcurrent()),
                    Map.of("Retry-After", "30"));
        }
        metrics.waited(CapacityMetrics.WaitOutcome.TIMEOUT, System.nanoTime() - q.since);
        metrics.rejected(workspace, CapacityMetrics.Rejection.QUEUE_TIMEOUT);
        q.waiter.refused(refusal);
    }

    /** Under the lock: the waiting calls that may go now, their slots taken. */
    private List<Queued> admitWaiting() {
        List<Queued> go = List.of();
        while (!deleted && !queue.isEmpty() && SlotRule.headMayGo(occupied(), limits)) {
            if (go.isEmpty()) {
                go = new ArrayList<>();
            }
            go.add(queue.poll());
            inFlight++;
        }
        return go;
    }

    private void grant(List<Queued> go) {
        for (Queued q : go) {
            q.timeout.cancel(false);
            metrics.waited(CapacityMetrics.WaitOutcome.FORWARDED, System.nanoTime() - q.since);
            Slot slot = new Slot(this);
            q.waiter.loop().execute(() -> q.waiter.granted(slot));
        }
    }

    private void update(TaskLimits latest, TaskLimits.Report report) {
        limits = report.equals(latest.report()) ? latest
                : new TaskLimits(latest.maxConcurrent(), latest.ownsSession(), latest.maxDepth(), latest.maxWait(), report);
        while (!ends.isEmpty() && ends.peek().isBefore(report.at())) {
            ends.poll();
        }
    }

    private int occupied() {
        return SlotRule.occupied(inFlight, limits.report().activeTasks(), ends.size());
    }

    private HttpError busy() {
        metrics.rejected(workspace, CapacityMetrics.Rejection.BUSY);
        int active = occupied();
        return new HttpError(503, "workspace " + workspace + " is busy (" + active + " of " + limits.maxConcurrent()
                + " tasks running) and its runtime owns sessions, so the call is not queued; retry later",
                Map.of("workspace", workspace.toString(), "busy", true, "native_session", true, "active", active,
                        "limit", limits.maxConcurrent()),
                Map.of("Retry-After", "30"));
    }

    private HttpError queueFull() {
        metrics.rejected(workspace, CapacityMetrics.Rejection.QUEUE_FULL);
        return new HttpError(503, "workspace " + workspace + " is busy and its queue is full (" + queue.size()
                + " calls waiting, spec.dispatch.queue.maxDepth); retry later",
                Map.of("workspace", workspace.toString(), "busy", true, "reason", "queue_full", "queued", queue.size(),
                        "active", occupied(), "limit", limits.maxConcurrent()),
                Map.of("Retry-After", "30"));
    }

    /** A call waiting for a slot. */
    static final class Queued implements Capacity.Place {
        final Waiter waiter;
        final long since;
        ScheduledFuture<?> timeout;

        private final TaskSlots slots;

        Queued(TaskSlots slots, Waiter waiter, long since) {
            this.slots = slots;
            this.waiter = waiter;
            this.since = since;
        }

        @Override
        public void leave() {
            slots.cancel(this);
        }
    }
}
