package dev.tether.proxy.admission;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code spec.maxConcurrentTasks} on this proxy: each workspace's task slots and its FIFO of waiting calls. Calls that
 * start a task ask {@link #enter}; the slot is released when their exchange ends, and the next waiting call goes. Across
 * replicas the limit holds because each workspace's calls are served by one replica (see the README's capacity section).
 */
public final class Capacity {
    /** A call's place in a queue, or nothing when it was not queued. */
    public interface Place {
        Place NONE = () -> {
        };

        /** The caller left: give up the place (a no-op once the call was granted or refused). */
        void leave();
    }

    private final Map<WorkspaceId, TaskSlots> slots = new ConcurrentHashMap<>();
    private final CapacityMetrics metrics;

    public Capacity(CapacityMetrics metrics) {
        this.metrics = metrics;
    }

    /** Asks for a slot of {@code ws} for a call that starts a task; the waiter hears the answer (now or once a slot frees). */
    public Place enter(WorkspaceId id, Workspace ws, Waiter waiter) {
        TaskLimits limits = TaskLimits.of(ws);
        return slots.computeIfAbsent(id, k -> new TaskSlots(k, limits, metrics)).enter(limits, waiter);
    }

    /** The workspace changed in the cache (a report, a limit): waiting calls may go. */
    public void observed(WorkspaceId id, Workspace ws) {
        TaskSlots s = slots.get(id);
        if (s != null) {
            s.observed(TaskLimits.of(ws));
        }
    }

    /** The workspace was deleted: its waiting calls are told, its series dropped. */
    public void deleted(WorkspaceId id) {
        TaskSlots s = slots.remove(id);
        if (s != null) {
            s.deleted();
        }
        metrics.deleted(id);
    }
}
