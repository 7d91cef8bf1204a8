package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceSpec;
import dev.tether.kube.KubeClients;
import dev.tether.testing.MockKubeApi;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Operating the proxy: readiness, metrics, the namespaces it serves, and a stop that drains. */
class ProxyLifecycleTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    ProxyRig rig;

    @AfterEach
    void stop() {
        callers.shutdownNow();
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void healthReadinessAndMetricsAreServedOnTheSamePort() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().defaultIdleTimeout(Duration.ofSeconds(1)));
        rig.workspace("w", "/a2a");
        rig.agent.on("/a2a", TestAgent.Exchange::echo);
        rig.post("/workspaces/team-a/w/a2a", MESSAGE);
        rig.agent.on("/a2a", rig.agent.answerAfter(Duration.ofSeconds(3)));
        rig.post("/workspaces/team-a/w/a2a", MESSAGE);
        rig.post("/workspaces/team-a/invented-name/a2a", MESSAGE);

        assertThat(rig.get("/healthz").code()).isEqualTo(200);
        ProxyRig.Reply ready = rig.get("/readyz");
        assertThat(ready.code()).isEqualTo(200);
        assertThat(ready.json().at("/checks/workspaces").asBoolean()).isTrue();
        assertThat(rig.metrics()).contains(
                "tether_proxy_dispatches_total{outcome=\"ok\",role=\"proxy\",workspace=\"team-a/w\"} 1.0",
                "tether_proxy_dispatches_total{outcome=\"idle_timeout\",role=\"proxy\",workspace=\"team-a/w\"} 1.0",
                "tether_proxy_dispatches_total{outcome=\"rejected\",role=\"proxy\",workspace=\"unknown\"} 1.0",
                "tether_proxy_dispatches_in_flight{role=\"proxy\"} 0.0",
                "tether_proxy_dispatch_duration_seconds_bucket{outcome=\"idle_timeout\",role=\"proxy\",le=");
    }

    @Test
    void aDeletedWorkspaceLeavesTheMetricsSoChurningNamesDoNotGrowTheScrape() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder());
        rig.workspace("short-lived", "/a2a");
        rig.workspace("stays", "/a2a");
        rig.agent.on("/a2a", TestAgent.Exchange::echo);
        rig.post("/workspaces/team-a/short-lived/a2a", MESSAGE);
        rig.post("/workspaces/team-a/stays/a2a", MESSAGE);
        assertThat(rig.metrics()).contains("workspace=\"team-a/short-lived\"");

        kube.client().resources(Workspace.class).inNamespace("team-a").withName("short-lived").delete();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rig.metrics())
                .doesNotContain("workspace=\"team-a/short-lived\"")
                .contains("tether_proxy_dispatches_total{outcome=\"ok\",role=\"proxy\",workspace=\"team-a/stays\"} 1.0"));
    }

    @Test
    void proxyThatCannotReachTheApiServerIsNotReadyAndSays503() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (KubernetesClient unreachable = KubeClients.forConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + deadPort)
                        .withRequestRetryBackoffLimit(0).build());
                DispatchProxy proxy = DispatchProxy.start(unreachable, ProxySettings.builder().host("127.0.0.1").port(0).build())) {
            OkHttpClient http = new OkHttpClient();
            assertThat(code(http, proxy.baseUrl() + "/healthz")).isEqualTo(200);
            assertThat(code(http, proxy.baseUrl() + "/readyz")).isEqualTo(503);
            try (var r = http.newCall(new Request.Builder().url(proxy.baseUrl() + "/workspaces/team-a/w/a2a")
                    .post(okhttp3.RequestBody.create(MESSAGE, ProxyRig.JSON)).build()).execute()) {
                assertThat(r.code()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(r.body().string()).contains("still loading workspaces");
            }
        }
    }

    @Test
    void proxyLimitedToSomeNamespacesAnswers404ForOthers() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().namespaces(List.of("team-a")));
        Workspace elsewhere = new Workspace();
        elsewhere.getMetadata().setName("elsewhere");
        elsewhere.setSpec(new WorkspaceSpec());
        elsewhere.getSpec().setUrl(rig.agent.url("/a2a"));
        kube.client().resource(elsewhere).inNamespace("team-b").create();

        ProxyRig.Reply reply = rig.post("/workspaces/team-b/elsewhere/a2a", MESSAGE);

        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.json().get("error").asText()).contains("namespace team-b is not served", "namespaces team-a");
    }

    @Test
    void stoppingRefusesNewCallersAndLetsInFlightDispatchesFinish() throws Exception {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().drainTimeout(Duration.ofSeconds(10)));
        rig.workspace("w", "/a2a");
        // The agent answers when the test says so, not after a silence a loaded runner could outlast.
        CountDownLatch answer = new CountDownLatch(1);
        rig.agent.on("/a2a", x -> {
            answer.await(60, TimeUnit.SECONDS);
            x.echo();
        });
        CompletableFuture<ProxyRig.Reply> inFlight = CompletableFuture.supplyAsync(
                () -> rig.post("/workspaces/team-a/w/a2a", MESSAGE), callers);
        await().atMost(Duration.ofSeconds(30)).until(() -> rig.inFlight() == 1);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(rig.proxy::close, callers);
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(
                    () -> new OkHttpClient().newCall(new Request.Builder().url(rig.proxy.baseUrl() + "/healthz").build()).execute())
                    .isInstanceOf(IOException.class));
            assertThat(stopping).as("the stop waits for the dispatch in flight").isNotDone();
        } finally {
            answer.countDown();
        }

        assertThat(inFlight.get().code()).isEqualTo(200);
        stopping.get();
    }

    private static int code(OkHttpClient http, String url) {
        try (var r = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return r.code();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
