package dev.tether.proxy.admission;

/**
 * The capacity rule, pure. A workspace's occupied slots are the larger of the tasks this proxy has in flight and the
 * runtime's own report (its report counts the tasks it runs for the proxy as well as those it started itself, so the
 * two are not added); tasks that ended here after the report was made are taken off the report, which cannot know of
 * them yet. A call goes at once only when a slot is free and nobody waits before it (FIFO); otherwise a runtime that owns
 * sessions answers busy, and anyone else's call waits while the queue has room.
 */
public final class SlotRule {
    public enum Decision { GO, BUSY, QUEUE, QUEUE_FULL }

    private SlotRule() {
    }

    /** Slots taken: {@code inFlight} here, or the runtime's {@code reported} tasks less {@code endedSinceReport}, whichever is more. */
    public static int occupied(int inFlight, int reported, int endedSinceReport) {
        return Math.max(inFlight, Math.max(0, reported - endedSinceReport));
    }

    public static Decision decide(int occupied, int queued, TaskLimits limits) {
        if (queued == 0 && occupied < limits.maxConcurrent()) {
            return Decision.GO;
        }
        if (limits.ownsSession()) {
            return Decision.BUSY;
        }
        return queued < limits.maxDepth() ? Decision.QUEUE : Decision.QUEUE_FULL;
    }

    /** Whether the head of the queue may go now. */
    public static boolean headMayGo(int occupied, TaskLimits limits) {
        return occupied < limits.maxConcurrent();
    }
}
