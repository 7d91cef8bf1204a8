package dev.tether.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared HTTP layer: JSON errors for every refusal, bounded bodies, health and readiness. */
class HttpServerTest {
    static final MediaType JSON = MediaType.get("application/json");
    final OkHttpClient http = new OkHttpClient();
    final AtomicBoolean synced = new AtomicBoolean(false);
    final CountDownLatch gathered = new CountDownLatch(CONCURRENT);
    static final int CONCURRENT = 500;
    HttpServer server;

    @BeforeEach
    void start() {
        HealthEndpoints health = new HealthEndpoints().readyWhen("informers", synced::get);
        server = HttpServer.builder("127.0.0.1", 0)
                .route("/echo", new JsonEndpoint(Set.of("POST"), true) {
                    @Override
                    protected void serve(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                            Callback callback) throws IOException {
                        byte[] body = RequestBodies.readBounded(request, 16);
                        JsonResponses.send(response, callback, 200, Map.of("bytes", body.length));
                    }
                })
                .route("/gather", new JsonEndpoint(Set.of("GET"), false) {
                    @Override
                    protected void serve(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                            Callback callback) throws InterruptedException {
                        gathered.countDown();
                        boolean all = gathered.await(20, TimeUnit.SECONDS);
                        JsonResponses.send(response, callback, all ? 200 : 503, Map.of("all", all));
                    }
                })
                .route("/healthz", health.liveness())
                .route("/readyz", health.readiness())
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Response call(Request.Builder request) throws IOException {
        return http.newCall(request.build()).execute();
    }

    JsonNode json(Response response) throws IOException {
        try (response) {
            return JsonResponses.MAPPER.readTree(response.body().string());
        }
    }

    @Test
    void unknownPathIsAJson404NamingIt() throws IOException {
        Response r = call(new Request.Builder().url(server.baseUrl() + "/nope"));
        assertThat(r.code()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).contains("GET /nope");
    }

    @Test
    void wrongMethodIs405WithAllow() throws IOException {
        Response r = call(new Request.Builder().url(server.baseUrl() + "/echo"));
        assertThat(r.code()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("POST");
        assertThat(json(r).get("error").asText()).contains("GET not allowed");
    }

    @Test
    void wrongContentTypeIs415() throws IOException {
        Response r = call(new Request.Builder().url(server.baseUrl() + "/echo")
                .post(RequestBody.create("{}", MediaType.get("text/plain"))));
        assertThat(r.code()).isEqualTo(415);
        assertThat(json(r).get("error").asText()).contains("application/json").contains("text/plain");
    }

    @Test
    void bodyWithinTheCapIsServedAndOneByteMoreIs413() throws IOException {
        Response ok = call(new Request.Builder().url(server.baseUrl() + "/echo")
                .post(RequestBody.create("{\"a\":\"0123456\"}", JSON)));
        assertThat(ok.code()).isEqualTo(200);
        assertThat(json(ok).get("bytes").asInt()).isEqualTo(15);

        Response tooBig = call(new Request.Builder().url(server.baseUrl() + "/echo")
                .post(RequestBody.create("{\"a\":\"0123456789\"}", JSON)));
        assertThat(tooBig.code()).isEqualTo(413);
        assertThat(json(tooBig).get("error").asText()).contains("16 bytes");
    }

    @Test
    void hundredsOfBlockedRequestsAreAllInProgressAtOnce() throws Exception {
        OkHttpClient many = http.newBuilder().connectionPool(new ConnectionPool(CONCURRENT, 1, TimeUnit.MINUTES))
                .readTimeout(Duration.ofSeconds(30)).build();
        List<Future<Integer>> codes = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CONCURRENT; i++) {
                codes.add(callers.submit(() -> {
                    try (Response r = many.newCall(new Request.Builder().url(server.baseUrl() + "/gather").build()).execute()) {
                        return r.code();
                    }
                }));
            }
        }
        for (Future<Integer> code : codes) {
            assertThat(code.get()).isEqualTo(200);
        }
    }

    @Test
    void readinessFollowsItsChecks() throws IOException {
        assertThat(call(new Request.Builder().url(server.baseUrl() + "/healthz")).code()).isEqualTo(200);
        Response notReady = call(new Request.Builder().url(server.baseUrl() + "/readyz"));
        assertThat(notReady.code()).isEqualTo(503);
        assertThat(json(notReady).at("/checks/informers").asBoolean()).isFalse();

        synced.set(true);
        assertThat(call(new Request.Builder().url(server.baseUrl() + "/readyz")).code()).isEqualTo(200);
    }
}
