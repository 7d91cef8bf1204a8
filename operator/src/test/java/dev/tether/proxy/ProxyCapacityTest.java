package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.http.JsonResponses;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.PrometheusText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.maxConcurrentTasks on one proxy: what reaches the agent at once, the FIFO queue and its bounds, the busy answer of
 * a runtime that owns sessions, the runtime's own report of active tasks, and what never waits.
 */
class ProxyCapacityTest {
    private static final String A2A = "/workspaces/team-a/busy/a2a";
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger atAgent = new AtomicInteger();
    private final AtomicInteger mostAtAgent = new AtomicInteger();
    private final CountDownLatch open = new CountDownLatch(1);
    private ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder().defaultIdleTimeout(Duration.ofSeconds(60))
                .sseKeepalive(Duration.ofMillis(200)));
        rig.agent.on("/held", held());
        rig.workspace("busy", "/held");
    }

    /** Holds every message until the test opens the gate, counting what it holds until it starts to answer; answers the rest at once. */
    private TestAgent.Behaviour held() {
        return x -> {
            if (x.request.json().path("method").asText().startsWith("tasks/")) {
                x.echo();
                return;
            }
            mostAtAgent.accumulateAndGet(atAgent.incrementAndGet(), Math::max);
            try {
                open.await(60, TimeUnit.SECONDS);
                rig.agent.pause(Duration.ofMillis(20));
            } finally {
                atAgent.decrementAndGet();
            }
            if (x.request.json().path("method").asText().equals("message/stream")) {
                x.startStream();
                x.event(1);
                x.event(2);
                x.endStream();
                return;
            }
            x.reply(200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        };
    }

    @AfterEach
    void stop() {
        open.countDown();
        callers.close();
        rig.close();
    }

    @Test
    void atMostTheLimitReachTheAgentAtOnceAndEveryCallerIsAnswered() throws Exception {
        rig.patchSpec("busy", "{\"maxConcurrentTasks\": 2}");
        List<CompletableFuture<ProxyRig.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            replies.add(send(A2A, message("caller-" + i)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 8);
        assertThat(rig.agent.receivedCount()).isEqualTo(2);

        open.countDown();

        for (CompletableFuture<ProxyRig.Reply> reply : replies) {
            assertThat(reply.get(60, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
        assertThat(rig.agent.receivedCount()).isEqualTo(10);
        assertThat(mostAtAgent).hasValue(2);
        assertThat(queueDepth()).isZero();
        assertThat(metric("tether_proxy_queue_wait_seconds_count", "outcome=\"forwarded\"")).isEqualTo(8);
    }

    @Test
    void waitingCallsGoInTheOrderTheyArrived() throws Exception {
        List<CompletableFuture<ProxyRig.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(send(A2A, message("caller-" + i)));
            int queued = i;
            await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() + queueDepth() == queued + 1);
        }
        open.countDown();
        for (CompletableFuture<ProxyRig.Reply> reply : replies) {
            assertThat(reply.get(60, TimeUnit.SECONDS).code()).isEqualTo(200);
        }

        assertThat(rig.agent.received()).map(r -> r.json().at("/params/message/parts/0/text").asText())
                .containsExactly("caller-0", "caller-1", "caller-2", "caller-3", "caller-4", "caller-5");
        assertThat(mostAtAgent).hasValue(1);
    }

    @Test
    void aRuntimeOwningSessionsAnswersBusyAtOnceInsteadOfQueueing() {
        rig.patchStatus("busy", "{\"runtime\": {\"capabilities\": {\"session\": true}}}");
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() == 1);

        ProxyRig.Reply busy = rig.post(A2A, message("second"));

        assertThat(busy.code()).isEqualTo(503);
        assertThat(busy.header("Retry-After")).isEqualTo("30");
        assertThat(busy.json().get("error").asText()).contains("team-a/busy", "busy", "sessions");
        assertThat(busy.json().get("workspace").asText()).isEqualTo("team-a/busy");
        assertThat(busy.json().get("busy").asBoolean()).isTrue();
        assertThat(busy.json().get("native_session").asBoolean()).isTrue();
        assertThat(busy.json().get("active").asInt()).isEqualTo(1);
        assertThat(busy.json().get("limit").asInt()).isEqualTo(1);
        assertThat(rig.agent.receivedCount()).isEqualTo(1);
        assertThat(metric("tether_proxy_capacity_rejections_total", "reason=\"busy\"", "workspace=\"team-a/busy\"")).isEqualTo(1);
        open.countDown();
        assertThat(first.join().code()).isEqualTo(200);
    }

    @Test
    void aCallFindingTheQueueFullIsAnswered503QueueFull() {
        rig.patchSpec("busy", "{\"dispatch\": {\"queue\": {\"maxDepth\": 1}}}");
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        CompletableFuture<ProxyRig.Reply> second = send(A2A, message("second"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() == 1 && queueDepth() == 1);

        ProxyRig.Reply full = rig.post(A2A, message("third"));

        assertThat(full.code()).isEqualTo(503);
        assertThat(full.header("Retry-After")).isNotBlank();
        assertThat(full.json().get("reason").asText()).isEqualTo("queue_full");
        assertThat(full.json().get("error").asText()).contains("team-a/busy", "queue is full", "spec.dispatch.queue.maxDepth");
        assertThat(full.json().get("queued").asInt()).isEqualTo(1);
        open.countDown();
        assertThat(first.join().code()).isEqualTo(200);
        assertThat(second.join().code()).isEqualTo(200);
        assertThat(rig.agent.receivedCount()).isEqualTo(2);
    }

    @Test
    void aCallWaitingPastMaxWaitIsAnswered503QueueTimeoutAndNeverReachesTheAgent() {
        rig.patchSpec("busy", "{\"dispatch\": {\"queue\": {\"maxWaitSeconds\": 1}}}");
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() == 1);

        ProxyRig.Reply timedOut = rig.post(A2A, message("second"));

        assertThat(timedOut.code()).isEqualTo(503);
        assertThat(timedOut.json().get("reason").asText()).isEqualTo("queue_timeout");
        assertThat(timedOut.json().get("error").asText()).contains("team-a/busy", "spec.dispatch.queue.maxWaitSeconds");
        ProxyRig.assertFiredAt(timedOut.elapsed(), Duration.ofSeconds(1));
        open.countDown();
        assertThat(first.join().code()).isEqualTo(200);
        assertThat(rig.agent.receivedCount()).isEqualTo(1);
        assertThat(metric("tether_proxy_capacity_rejections_total", "reason=\"queue_timeout\"", "workspace=\"team-a/busy\"")).isEqualTo(1);
    }

    @Test
    void theWaitCountsAgainstNeitherTheIdleWindowNorTheCeiling() {
        rig.agent.on("/quick", x -> x.echo());
        rig.patchSpec("busy", "{\"url\": \"" + rig.agent.url("/quick") + "\"}");
        rig.patchStatus("busy", "{\"dispatch\": {\"idleTimeoutSeconds\": 1, \"source\": \"Spec\"}, "
                + "\"lastHeartbeatTime\": \"" + Instant.now() + "\", \"runtime\": {\"activeTasks\": 1}}");
        CompletableFuture<ProxyRig.Reply> waiting = send(A2A, message("after the runtime's own task"), "X-Timeout", "2");
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);

        rig.patchStatus("busy", "{\"lastHeartbeatTime\": \"" + Instant.now() + "\", \"runtime\": {\"activeTasks\": 0}}");

        ProxyRig.Reply reply = waiting.join();
        assertThat(reply.code()).isEqualTo(200);
        assertThat(reply.elapsed()).isGreaterThan(Duration.ofSeconds(3));
    }

    @Test
    void tasksTheRuntimeReportsOccupySlotsUntilItsReportSaysOtherwise() {
        rig.agent.on("/quick", x -> x.echo());
        rig.patchSpec("busy", "{\"url\": \"" + rig.agent.url("/quick") + "\", \"maxConcurrentTasks\": 2}");
        rig.patchStatus("busy", "{\"lastHeartbeatTime\": \"" + Instant.now() + "\", \"runtime\": {\"activeTasks\": 2}}");

        CompletableFuture<ProxyRig.Reply> waiting = send(A2A, message("third task"));
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);
        assertThat(rig.agent.receivedCount()).isZero();

        rig.patchStatus("busy", "{\"lastHeartbeatTime\": \"" + Instant.now() + "\", \"runtime\": {\"activeTasks\": 1}}");

        assertThat(waiting.join().code()).isEqualTo(200);
    }

    @Test
    void aReportFromARuntimeMarkedOfflineBlocksNothing() {
        rig.agent.on("/quick", x -> x.echo());
        rig.patchSpec("busy", "{\"url\": \"" + rig.agent.url("/quick") + "\"}");
        rig.patchStatus("busy", "{\"phase\": \"Offline\", \"lastHeartbeatTime\": \"2026-11-24T05:00:00Z\", \"runtime\": {\"activeTasks\": 3}}");

        assertThat(rig.post(A2A, message("the runtime is gone")).code()).isEqualTo(200);
    }

    @Test
    void callsThatStartNoTaskNeverWait() {
        rig.agent.on("/quick", x -> x.echo());
        CompletableFuture<ProxyRig.Reply> task = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() == 1);

        ProxyRig.Reply get = rig.post(A2A, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tasks/get\",\"params\":{\"id\":\"t1\"}}");
        ProxyRig.Reply cancel = rig.post(A2A, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tasks/cancel\",\"params\":{\"id\":\"t1\"}}");

        assertThat(get.code()).isEqualTo(200); // answered while the only slot is taken
        assertThat(cancel.code()).isEqualTo(200);
        assertThat(queueDepth()).isZero();
        open.countDown();
        assertThat(task.join().code()).isEqualTo(200);
    }

    @Test
    void httpJsonMessagesShareTheSameSlotsAndOtherRestCallsNeverWait() throws Exception {
        rig.agent.on("/.well-known/agent-card.json", x -> x.reply(200, "application/json", """
                {"protocolVersion":"0.3.0","name":"busy","url":"%1$s/held","preferredTransport":"JSONRPC",
                 "additionalInterfaces":[{"url":"%1$s/rest","transport":"HTTP+JSON"}]}""".formatted(rig.agent.url(""))));
        rig.agent.on("/rest/v1/message:send", held());
        rig.agent.on("/rest/v1/tasks/t1", x -> x.reply(200, "application/json", "{\"id\":\"t1\"}"));
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> atAgent.get() == 1);

        CompletableFuture<ProxyRig.Reply> rest = CompletableFuture.supplyAsync(() -> rig.call(new Request.Builder()
                .url(rig.proxy.baseUrl() + "/workspaces/team-a/busy/rest/v1/message:send")
                .post(RequestBody.create("{\"message\":{}}", ProxyRig.JSON)).build()), callers);
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);
        assertThat(rig.get("/workspaces/team-a/busy/rest/v1/tasks/t1").code()).isEqualTo(200);

        open.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS).code()).isEqualTo(200);
        assertThat(rest.get(60, TimeUnit.SECONDS).code()).isEqualTo(200);
        assertThat(mostAtAgent).hasValue(1);
    }

    @Test
    void aCallerThatLeavesTheQueueGivesUpItsPlace() {
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() == 1);
        okhttp3.Call leaving = rig.http.newCall(new Request.Builder().url(rig.proxy.baseUrl() + A2A)
                .post(RequestBody.create(message("leaves"), ProxyRig.JSON)).build());
        callers.submit(() -> leaving.execute());
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);

        leaving.cancel();

        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 0);
        open.countDown();
        assertThat(first.join().code()).isEqualTo(200);
        assertThat(rig.post(A2A, message("next")).code()).isEqualTo(200);
        assertThat(rig.agent.received()).map(r -> r.json().at("/params/message/parts/0/text").asText()).containsExactly("first", "next");
    }

    @Test
    void aStreamWaitingForASlotIsOpenAtOnceWithKeepalivesThenCarriesTheAgentsEvents() {
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> atAgent.get() == 1);
        CompletableFuture<ProxyRig.Stream> stream = CompletableFuture.supplyAsync(() -> rig.stream(A2A, streamMessage("waits")), callers);
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20)).until(() -> queueDepth() == 1);

        open.countDown();

        ProxyRig.Stream events = stream.join();
        assertThat(events.code()).isEqualTo(200);
        assertThat(events.headers().get("Content-Type")).startsWith("text/event-stream");
        assertThat(events.keepalives()).as("comments while it waited").hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.data()).map(ProxyRig.Line::text).containsExactly(
                "data: {\"jsonrpc\":\"2.0\",\"id\":\"waits\",\"result\":{\"n\":1}}", "data: {\"jsonrpc\":\"2.0\",\"id\":\"waits\",\"result\":{\"n\":2}}");
        assertThat(first.join().code()).isEqualTo(200);
    }

    @Test
    void aStreamThatWaitsPastMaxWaitEndsWithAJsonRpcErrorEvent() {
        rig.patchSpec("busy", "{\"dispatch\": {\"queue\": {\"maxWaitSeconds\": 1}}}");
        CompletableFuture<ProxyRig.Reply> first = send(A2A, message("first"));
        await().atMost(Duration.ofSeconds(20)).until(() -> atAgent.get() == 1);

        ProxyRig.Stream events = rig.stream(A2A, streamMessage("gives up"));

        assertThat(events.code()).isEqualTo(200);
        assertThat(events.keepalives()).isNotEmpty();
        assertThat(events.data()).singleElement().satisfies(line -> {
            var error = JsonResponses.MAPPER.readTree(line.text().substring("data: ".length()));
            assertThat(error.get("id").asText()).isEqualTo("gives up");
            assertThat(error.at("/error/code").asInt()).isEqualTo(-32000);
            assertThat(error.at("/error/message").asText()).contains("spec.dispatch.queue.maxWaitSeconds");
            assertThat(error.at("/error/data/reason").asText()).isEqualTo("queue_timeout");
        });
        open.countDown();
        assertThat(first.join().code()).isEqualTo(200);
        assertThat(rig.agent.receivedCount()).isEqualTo(1);
    }

    private static String streamMessage(String text) {
        return message(text).replace("message/send", "message/stream");
    }

    private CompletableFuture<ProxyRig.Reply> send(String path, String body, String... headers) {
        return CompletableFuture.supplyAsync(() -> rig.post(path, body, headers), callers);
    }

    private static String message(String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"" + text + "\",\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\","
                + "\"messageId\":\"m-" + text + "\",\"parts\":[{\"kind\":\"text\",\"text\":\"" + text + "\"}]}}}";
    }

    private int queueDepth() {
        return (int) metric("tether_proxy_queue_depth", "workspace=\"team-a/busy\"");
    }

    private double metric(String name, String... labels) {
        return PrometheusText.value(rig.metrics(), name, labels);
    }
}
