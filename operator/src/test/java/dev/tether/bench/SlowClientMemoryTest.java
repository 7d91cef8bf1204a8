package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients against a role in a JVM of its own, run with the chart's JVM options under its 512 MiB memory limit
 * ({@link TetherProcess}): {@value #CLIENTS} clients per endpoint each declare the largest body it takes and send
 * it a byte per packet. What they hold must follow the bytes they sent, not what they declared nor how many packets
 * carried them; the process must not run out of memory, and a normal request must be answered during the attack.
 */
class SlowClientMemoryTest {
    static final int CLIENTS = 400;
    /** Bytes each client sends, one per packet. */
    static final int ROUNDS = 600;
    static final Duration READY = Duration.ofSeconds(60);
    static final Duration POLL = Duration.ofMillis(100);
    static final MediaType JSON = MediaType.get("application/json");
    /** Heap the attack may add: 400 bodies allocated at their declared size would hold 25 MiB (heartbeat) and 100 MiB (register). */
    static final double MAX_HEAP_GROWTH_MIB = 24;

    @TempDir
    Path dir;
    final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(20)).build();

    @Test
    void slowUploadsToTheRegistryPinNoMemoryAndAHeartbeatIsAnswered() throws Exception {
        try (BenchApi api = new BenchApi();
                TetherProcess operator = TetherProcess.operator("operator", api.api.kubeconfig(), dir, http, BenchApi.NS, null,
                        Duration.ofSeconds(60))) {
            try {
                operator.awaitReady();
                api.workspaces.create("researcher");
                String token = awaitToken(api, "researcher");
                String beat = "{\"workspace_id\": \"" + BenchApi.NS + "/researcher\", \"active_tasks\": 0}";
                assertThat(post(operator.baseUrl() + "/registry/heartbeat", token, beat)).isEqualTo(200);
                double before = operator.heapAfterGcMiB();

                try (Trickle heartbeats = new Trickle(port(operator), "/registry/heartbeat", 64 * 1024);
                        Trickle registrations = new Trickle(port(operator), "/registry/register", 256 * 1024)) {
                    for (int round = 0; round < ROUNDS; round++) {
                        heartbeats.sendAByteEach();
                        registrations.sendAByteEach();
                    }
                    double during = operator.heapAfterGcMiB();
                    System.out.printf("operator heap after GC: %.1f MiB before, %.1f MiB with %d slow uploads%n", before, during, 2 * CLIENTS);

                    assertThat(post(operator.baseUrl() + "/registry/heartbeat", token, beat)).as("a heartbeat during the attack")
                            .isEqualTo(200);
                    assertThat(during - before).as("heap the slow uploads hold, MiB").isLessThan(MAX_HEAP_GROWTH_MIB);
                }
                operator.jvm.requireAlive();
            } catch (Throwable e) {
                operator.jvm.printOutput();
                throw e;
            }
        }
    }

    @Test
    void slowUploadsToTheProxyPinNoMemoryAndADispatchIsAnswered() throws Exception {
        int agentPort = Bench.freePort();
        try (BenchApi api = new BenchApi();
                ChildJvm agent = ChildJvm.start("agent", dir, List.of("-Xmx128m"), SilentAgent.class.getName(),
                        List.of(Integer.toString(agentPort)), Map.of());
                TetherProcess proxy = TetherProcess.proxy("proxy", api.api.kubeconfig(), dir, http, 0)) {
            try {
                api.create("target", "http://127.0.0.1:" + agentPort + "/echo");
                proxy.awaitReady();
                String message = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"message/send\",\"params\":{\"message\":"
                        + "{\"kind\":\"message\",\"role\":\"user\",\"messageId\":\"m-1\",\"parts\":[{\"kind\":\"text\",\"text\":\"hi\"}]}}}";
                BenchApi.require(READY, POLL, "a dispatch answered", () -> {
                    proxy.jvm.requireAlive();
                    return post(proxy.url("target"), null, message) == 200;
                });
                double before = proxy.heapAfterGcMiB();

                try (Trickle uploads = new Trickle(port(proxy), "/workspaces/" + BenchApi.NS + "/target/a2a", 1 << 20)) {
                    for (int round = 0; round < ROUNDS; round++) {
                        uploads.sendAByteEach();
                    }
                    double during = proxy.heapAfterGcMiB();
                    System.out.printf("proxy heap after GC: %.1f MiB before, %.1f MiB with %d slow uploads%n", before, during, CLIENTS);

                    assertThat(post(proxy.url("target"), null, message)).as("a dispatch during the attack").isEqualTo(200);
                    assertThat(during - before).as("heap the slow uploads hold, MiB").isLessThan(MAX_HEAP_GROWTH_MIB);
                }
                proxy.jvm.requireAlive();
            } catch (Throwable e) {
                proxy.jvm.printOutput();
                agent.printOutput();
                throw e;
            }
        }
    }

    static int port(TetherProcess role) {
        return Integer.parseInt(role.baseUrl().substring(role.baseUrl().lastIndexOf(':') + 1));
    }

    static String awaitToken(BenchApi api, String workspace) {
        String[] token = new String[1];
        BenchApi.require(READY, POLL, "token of " + workspace, () -> {
            Secret secret = api.client.secrets().inNamespace(BenchApi.NS).withName(TokenSecrets.name(workspace)).get();
            token[0] = TokenSecrets.token(secret);
            return token[0] != null;
        });
        return token[0];
    }

    int post(String url, String token, String json) {
        Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(json, JSON));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (Response response = http.newCall(request.build()).execute()) {
            return response.code();
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@value #CLIENTS} connections that each declare {@code declared} body bytes and send them one at a time. */
    static final class Trickle implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();

        Trickle(int port, String path, int declared) throws IOException {
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer slow\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n{";
            for (int i = 0; i < CLIENTS; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                sockets.add(socket);
            }
        }

        /** One more body byte on every connection still open, then a pause so that each byte is read on its own. */
        void sendAByteEach() throws InterruptedException {
            for (Socket socket : sockets) {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(' ');
                    out.flush();
                } catch (IOException closed) {
                    // refused or cut by the server: it holds nothing for this one any more
                }
            }
            Thread.sleep(2);
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
