package dev.tether.proxy.forwarding;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer behind every exchange: once per tick it asks each event loop to check its own exchanges' limits and
 * to close its pooled agent connections that idled too long. Timer work is one task per loop per tick, whatever the
 * number of exchanges; a fast dispatch never meets it.
 */
public final class DispatchTimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchTimer.class);
    private final Thread thread;
    private volatile boolean running = true;

    public DispatchTimer(EventLoopGroup group, InFlight inFlight, AgentPool pool, Duration tick) {
        long tickNanos = tick.toNanos();
        thread = Thread.ofPlatform().daemon().name("tether-dispatch-timer").unstarted(() -> {
            while (running) {
                try {
                    Thread.sleep(Duration.ofNanos(tickNanos));
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                for (EventExecutor executor : group) {
                    try {
                        executor.execute(() -> {
                            inFlight.sweep(executor, now);
                            pool.evictIdle((EventLoop) executor, now);
                        });
                    } catch (RejectedExecutionException e) {
                        return; // the loops are shutting down
                    } catch (RuntimeException e) {
                        LOG.warn("dispatch timer tick failed: {}", e.toString());
                    }
                }
            }
        });
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
