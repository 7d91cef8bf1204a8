package dev.tether.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * The caller's side of an SSE dispatch. The dispatch thread writes agent events (blocking; it runs on a
 * virtual thread); the watchdog thread writes keepalive comments without ever blocking: it skips one
 * when a write is in progress, and a failed keepalive reports the caller gone. One write at a time.
 */
final class CallerStream {
    private static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.UTF_8);

    /** Writing to the caller failed: the caller went away. */
    static final class CallerGoneException extends IOException {
        CallerGoneException(Throwable cause) {
            super("caller disconnected: " + cause.getMessage(), cause);
        }
    }

    private final Response response;
    private final Runnable onCallerGone;
    private final Semaphore writing = new Semaphore(1);
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile boolean ended;

    CallerStream(Response response, Runnable onCallerGone) {
        this.response = response;
        this.onCallerGone = onCallerGone;
    }

    long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Writes and flushes; {@code last} ends the response. */
    void write(byte[] bytes, boolean last) throws CallerGoneException {
        writing.acquireUninterruptibly();
        try {
            if (ended) {
                throw new CallerGoneException(new IOException("the stream already ended"));
            }
            try (Blocker.Callback done = Blocker.callback()) {
                response.write(last, ByteBuffer.wrap(bytes), done);
                done.block();
            }
            lastWriteNanos = System.nanoTime();
            ended = last;
        } catch (CallerGoneException e) {
            ended = true;
            throw e;
        } catch (IOException | RuntimeException e) {
            ended = true;
            throw new CallerGoneException(e);
        } finally {
            writing.release();
        }
    }

    /** Sends {@code : keepalive} unless a write is in progress; never blocks. The proxy's bytes, not agent activity. */
    void keepalive() {
        if (!writing.tryAcquire()) {
            return;
        }
        if (ended) {
            writing.release();
            return;
        }
        lastWriteNanos = System.nanoTime();
        try {
            response.write(false, ByteBuffer.wrap(KEEPALIVE), Callback.from(writing::release, failure -> callerGone()));
        } catch (RuntimeException e) {
            callerGone();
        }
    }

    private void callerGone() {
        ended = true;
        writing.release();
        onCallerGone.run();
    }
}
