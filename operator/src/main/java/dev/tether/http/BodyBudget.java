package dev.tether.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of request bodies held across every connection at once. Bodies are gathered as their bytes arrive, never
 * allocated from what a caller declares, so memory follows what was really sent; this bound keeps many slow callers
 * together from exhausting it. A request whose bytes find no room is answered 503.
 */
public final class BodyBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public BodyBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} from the budget; false (nothing taken) when they do not fit. */
    public boolean take(int bytes) {
        long now = held.addAndGet(bytes);
        if (now > limit) {
            held.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    public void give(long bytes) {
        if (bytes > 0) {
            held.addAndGet(-bytes);
        }
    }

    public long held() {
        return held.get();
    }
}
