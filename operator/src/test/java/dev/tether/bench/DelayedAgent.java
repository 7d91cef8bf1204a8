package dev.tether.bench;

import dev.tether.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The agent of {@link CapacityBenchmark} as a process of its own ({@code DelayedAgent <port> <delayMs>}): {@code /a2a}
 * reads the request and answers a JSON-RPC result {@code delayMs} later, holding no thread meanwhile (Jetty's timer),
 * so it is never the bottleneck; {@code /stats} answers {@code <answered> <mostAtOnce>}, the requests answered and the
 * most it held at once since the previous {@code /stats}, so the benchmark can tell that the proxy's limit held.
 */
public final class DelayedAgent {
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{\"kind\":\"message\",\"role\":\"agent\","
            + "\"messageId\":\"r-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"done\"}]}}";
    private static final AtomicInteger HELD = new AtomicInteger();
    private static final AtomicInteger MOST_HELD = new AtomicInteger();
    private static final AtomicLong ANSWERED = new AtomicLong();

    private DelayedAgent() {
    }

    public static void main(String[] args) throws InterruptedException {
        long delayMs = Long.parseLong(args[1]);
        HttpServer.builder("127.0.0.1", Integer.parseInt(args[0]))
                .route("/a2a", new Delayed(delayMs))
                .route("/stats", new Stats())
                .acceptQueueSize(4096)
                .idleTimeout(Duration.ofMinutes(2))
                .start();
        new CountDownLatch(1).await(); // serves until the benchmark kills the process
    }

    private static final class Delayed extends Handler.Abstract.NonBlocking {
        private final long delayMs;

        Delayed(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int held = HELD.incrementAndGet();
            MOST_HELD.accumulateAndGet(held, Math::max);
            Content.Source.consumeAll(request, Callback.from(() -> request.getComponents().getScheduler().schedule(() -> {
                HELD.decrementAndGet();
                ANSWERED.incrementAndGet();
                response.getHeaders().put("Content-Type", "application/json");
                Content.Sink.write(response, true, ANSWER, callback);
            }, delayMs, TimeUnit.MILLISECONDS), x -> {
                HELD.decrementAndGet();
                callback.failed(x);
            }));
            return true;
        }
    }

    private static final class Stats extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put("Content-Type", "text/plain");
            Content.Sink.write(response, true, ANSWERED.get() + " " + MOST_HELD.getAndSet(HELD.get()), callback);
            return true;
        }
    }
}
