package dev.tether.proxy.admission;

import java.util.concurrent.atomic.AtomicBoolean;

/** One of a workspace's task slots, held by a call from its grant until its exchange ends; released once, however often asked. */
public final class Slot {
    /** What a call that starts no task holds. */
    public static final Slot NONE = new Slot(null);

    private final TaskSlots owner;
    private final AtomicBoolean released = new AtomicBoolean();

    Slot(TaskSlots owner) {
        this.owner = owner;
    }

    public void release() {
        if (owner != null && released.compareAndSet(false, true)) {
            owner.released();
        }
    }
}
