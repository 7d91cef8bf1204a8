package dev.tether.proxy.admission;

import dev.tether.http.HttpError;
import io.netty.util.concurrent.EventExecutor;

/** A call asking for a task slot: told once, on its own loop, that it holds one or why it gets none. */
public interface Waiter {
    EventExecutor loop();

    /** The call may go; it must release {@code slot} when it ends, or at once if its caller has gone. */
    void granted(Slot slot);

    void refused(HttpError refusal);
}
