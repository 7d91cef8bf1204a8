package dev.tether.proxy.forwarding;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Where a relayed Server-Sent Events stream stands: between events, or inside one (a line or an event not yet ended
 * by its blank line). The proxy's own bytes, keepalive comments and a final error event, may only go between events;
 * one written inside an event would corrupt it. The agent's bytes pass through unchanged; this only watches them.
 */
final class SseFraming implements ByteProcessor {
    private boolean lineStart = true;
    private boolean eventOpen;
    private boolean afterCr;

    /** Follows {@code chunk} (the agent's bytes, about to be relayed); does not consume it. */
    void follow(ByteBuf chunk) {
        chunk.forEachByte(this);
    }

    @Override
    public boolean process(byte b) {
        if (b == '\n' && afterCr) {
            afterCr = false; // the LF of a CRLF: the line already ended at the CR
            return true;
        }
        afterCr = b == '\r';
        if (b == '\r' || b == '\n') {
            if (lineStart) {
                eventOpen = false; // a blank line dispatches the event
            }
            lineStart = true;
        } else {
            lineStart = false;
            eventOpen = true;
        }
        return true;
    }

    /** True when the proxy may write an event or comment of its own now. */
    boolean betweenEvents() {
        return lineStart && !eventOpen;
    }
}
