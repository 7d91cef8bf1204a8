package dev.tether.bench;

import dev.tether.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The agent of benchmark 2 as a process of its own ({@code SilentAgent <port>}): {@code /silent} reads the
 * request and never answers, holding the connection until the caller (the proxy) closes it; {@code /echo}
 * answers a JSON-RPC result at once (warm-up and probes); {@code /open} answers how many {@code /silent} requests it
 * holds right now (so a benchmark can tell that a proxy has forwarded all of its callers). Neither holds a thread while
 * it waits, so the agent stays cheap at thousands of open dispatches.
 */
public final class SilentAgent {
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{\"kind\":\"message\",\"role\":\"agent\","
            + "\"messageId\":\"r-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"done\"}]}}";

    private SilentAgent() {
    }

    public static void main(String[] args) throws InterruptedException {
        HttpServer.builder("127.0.0.1", Integer.parseInt(args[0]))
                .route("/silent", new Silent())
                .route("/echo", new Echo())
                .route("/open", new Open())
                .acceptQueueSize(4096)
                // Longer than any window the benchmark sets: the proxy, not the agent, ends a silent dispatch.
                .idleTimeout(Duration.ofMinutes(2))
                .start();
        new CountDownLatch(1).await(); // serves until the benchmark kills the process
    }

    private static final AtomicInteger OPEN = new AtomicInteger();

    private static final class Silent extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            OPEN.incrementAndGet();
            AtomicBoolean ended = new AtomicBoolean();
            Runnable end = () -> {
                if (ended.compareAndSet(false, true)) {
                    OPEN.decrementAndGet();
                }
            };
            request.addFailureListener(x -> {
                end.run();
                callback.failed(x);
            });
            // Jetty reads nothing more while a request is being handled, so it would not see the proxy close the
            // connection and would hold it until the idle timeout; once the body is in, wait for that close here.
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            Runnable closed = () -> {
                end.run();
                endPoint.close();
            };
            Content.Source.consumeAll(request, Callback.from(
                    () -> endPoint.tryFillInterested(Callback.from(closed, x -> closed.run())), x -> {
                        end.run();
                        callback.failed(x);
                    }));
            return true;
        }
    }

    private static final class Echo extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put("Content-Type", "application/json");
            Content.Source.consumeAll(request, Callback.from(
                    () -> Content.Sink.write(response, true, ANSWER, callback), callback::failed));
            return true;
        }
    }

    private static final class Open extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put("Content-Type", "text/plain");
            Content.Sink.write(response, true, Integer.toString(OPEN.get()), callback);
            return true;
        }
    }
}
