package dev.tether.embedded.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * What a provisioned workspace's container runs under {@link NodeStandIn}: a runtime as the existing ones behave,
 * configured only by what Tether injects. It reads its token from {@code $CONFIGS_DIR/.auth_token} (the stand-in's
 * {@code /configs}), registers {@code http://$HOSTNAME:$A2A_PORT/} (a pod name nobody can resolve, as a pod's would
 * be from outside the cluster), heartbeats to {@code $PLATFORM_URL} every second as {@code $WORKSPACE_ID}, and
 * answers A2A JSON-RPC on {@code /} with a result naming itself and saying when the call reached it ({@code received_at_ms},
 * this machine's wall clock, for timing what a call went through before it arrived); {@code GET /healthz} is its
 * readiness probe.
 * A test shapes it through the template's env: {@code STAND_IN_ACTIVE_TASKS} (what its heartbeats report, default 0),
 * {@code STAND_IN_ANSWER_AFTER_MS} (how long it thinks, silent, before answering a call) and {@code STAND_IN_READY=false}
 * (a runtime that never becomes ready).
 */
public final class StandInRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StandInRuntime() {
    }

    public static void main(String[] args) throws Exception {
        String workspace = System.getenv("WORKSPACE_ID");
        String platform = System.getenv("PLATFORM_URL");
        String pod = System.getenv("HOSTNAME");
        int port = Integer.parseInt(System.getenv("A2A_PORT"));
        String token = Files.readString(Path.of(System.getenv("CONFIGS_DIR"), ".auth_token")).trim();
        int activeTasks = Integer.parseInt(envOr("STAND_IN_ACTIVE_TASKS", "0"));
        long answerAfterMs = Long.parseLong(envOr("STAND_IN_ANSWER_AFTER_MS", "0"));
        boolean ready = !"false".equals(envOr("STAND_IN_READY", "true"));

        // The JDK's own server: the runtime needs nothing of Tether's, and starts in a small JVM.
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] answer = "ok".getBytes(StandardCharsets.UTF_8);
                if (exchange.getRequestURI().getPath().equals("/healthz") && !ready) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                if (exchange.getRequestMethod().equals("POST")) {
                    long receivedAt = System.currentTimeMillis();
                    think(answerAfterMs);
                    JsonNode rpc = JSON.readTree(exchange.getRequestBody());
                    ObjectNode reply = JSON.createObjectNode().put("jsonrpc", "2.0").set("id", rpc.get("id"));
                    reply.putObject("result").put("workspace", workspace).put("pod", pod).put("method", rpc.path("method").asText())
                            .put("received_at_ms", receivedAt);
                    answer = reply.toString().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                }
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        post(http, platform + "/registry/register", token, JSON.createObjectNode().put("id", workspace)
                .put("url", "http://" + pod + ":" + port + "/").toString());
        while (true) {
            post(http, platform + "/registry/heartbeat", token, JSON.createObjectNode().put("workspace_id", workspace)
                    .put("active_tasks", activeTasks).put("uptime_seconds", 1).toString());
            Thread.sleep(1000);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void think(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void post(HttpClient http, String url, String token, String body) {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(url + " -> " + answer.statusCode() + " " + answer.body());
        } catch (Exception e) {
            System.out.println(url + " failed: " + e);
        }
    }
}
