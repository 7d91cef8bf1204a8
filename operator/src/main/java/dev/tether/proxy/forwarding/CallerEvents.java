package dev.tether.proxy.forwarding;

/** What happens to the caller's connection while its request is being answered (or waits to be), told on its loop. */
public interface CallerEvents {
    /** The connection can take more bytes. */
    void callerWritable();

    /** The connection closed before the answer was complete. */
    void callerGone();

    /** The caller will send nothing more (a half-close): an answer in progress is still sent. */
    default void callerInputClosed() {
    }
}
