package dev.tether.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slowloris-style callers against the server every role uses, with a short idle timeout: a body that
 * stops half way gets a 408 (not a 500, not a thread held for ever), and headers that never finish get
 * the connection closed. The registry and proxy endpoints read bodies through the same {@link RequestBodies}.
 */
class SlowClientTest {
    static final Duration IDLE = Duration.ofMillis(500);
    static final Duration BOUND = Duration.ofSeconds(5);

    final AtomicInteger served = new AtomicInteger();
    HttpServer server;

    @BeforeEach
    void start() {
        server = HttpServer.builder("127.0.0.1", 0).idleTimeout(IDLE)
                .route("/echo", new JsonEndpoint(Set.of("POST"), true) {
                    @Override
                    protected void serve(Request request, Response response, Callback callback) throws Exception {
                        byte[] body = RequestBodies.readBounded(request, 1024);
                        served.incrementAndGet();
                        JsonResponses.send(response, callback, 200, Map.of("bytes", body.length));
                    }
                })
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBodyThatStopsHalfWayGetsA408WithinTheIdleTimeout() throws IOException {
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":");

            String answer = readAll(socket.getInputStream());

            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(IDLE.minusMillis(100), BOUND);
            assertThat(served).hasValue(0);
        }
    }

    @Test
    void aBodyTrickledForLongerThanTheIdleTimeoutGetsA408() throws Exception {
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
            InputStream in = socket.getInputStream();
            // A byte every fifth of the idle timeout: the connection is never idle, the body never complete.
            try {
                for (int i = 0; i < 1000 && in.available() == 0; i++) {
                    send(socket, " ");
                    Thread.sleep(IDLE.dividedBy(5).toMillis());
                }
            } catch (IOException closedByTheServer) {
                // the answer is already on its way
            }

            assertThat(readAll(in)).startsWith("HTTP/1.1 408");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(IDLE, BOUND);
            assertThat(served).hasValue(0);
        }
    }

    @Test
    void headersThatNeverFinishGetTheConnectionClosed() throws IOException {
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ");

            String answer = readAll(socket.getInputStream());

            assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 408"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
            assertThat(served).hasValue(0);
        }
    }

    @Test
    void aWholeBodyInTimeIsServed() throws IOException {
        try (Socket socket = connect()) {
            send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(readAll(socket.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout((int) BOUND.multipliedBy(2).toMillis());
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readNBytes(64 * 1024), StandardCharsets.ISO_8859_1);
    }
}
