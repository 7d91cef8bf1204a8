package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.activity.ActivityLease;
import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.HibernationState;
import dev.tether.api.PodTemplate;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.WorkspaceId;
import dev.tether.hibernation.HibernationRule;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.MutableClock;
import dev.tether.testing.RuntimeClient.Reply;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runtimes heartbeat in the wire format they speak today; status records what they said, and only that. */
class HeartbeatOnMockApiTest {
    static final String NS = "team-a";
    static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    final MutableClock clock = new MutableClock(Instant.now());
    RegistryFixture registry;
    String token;

    @BeforeEach
    void start() {
        registry = new RegistryFixture(kube.client(), NS, clock);
        token = registry.workspaceWithToken("researcher");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    Reply beat(String extra) {
        return registry.runtime.heartbeat(token, registry.beat("researcher", extra));
    }

    RuntimeStatus runtime() {
        return registry.get("researcher").getStatus().getRuntime();
    }

    /** Heartbeat status writes so far (the reconciler's own status writes carry no runtime report). */
    long heartbeatWrites(String name) {
        return kube.count(r -> r.method().equals("PATCH") && r.path().endsWith("/workspaces/" + name + "/status")
                && r.body().contains("lastHeartbeatTime"));
    }

    // --- the runtime-side cases carried over from the system Tether replaces ---

    @Test
    void allFalseCapabilitiesAndNoTimeoutKeepThePlatformDefault() {
        Reply reply = beat("""
                "runtime_metadata": {"capabilities": {"heartbeat": false, "scheduler": false, "session": false,
                  "status_mgmt": false, "retry": false, "activity_decoration": false, "channel_dispatch": false}}""");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("status").asText()).isEqualTo("ok");
        assertThat(reply.body().at("/dispatch/idle_timeout_seconds").asInt()).isEqualTo(300);
        assertThat(reply.body().at("/dispatch/source").asText()).isEqualTo("default");
        assertThat(runtime().capabilities()).hasSize(7).doesNotContainValue(true);
        assertThat(runtime().idleTimeoutSeconds()).isNull();
    }

    @Test
    void nativeCapabilityWithSixHundredSecondsIsDeclaredAndBecomesEffective() {
        Reply reply = beat("""
                "runtime_metadata": {"capabilities": {"session": true}, "idle_timeout_seconds": 600}""");

        assertThat(reply.body().at("/dispatch/idle_timeout_seconds").asInt()).isEqualTo(600);
        assertThat(reply.body().at("/dispatch/source").asText()).isEqualTo("runtime");
        assertThat(runtime().idleTimeoutSeconds()).isEqualTo(600);
        assertThat(runtime().capabilities()).containsExactly(Map.entry("session", true));
        await().atMost(WAIT).untilAsserted(() -> assertThat(registry.get("researcher").getStatus().getDispatch().source())
                .isEqualTo(DispatchSource.Runtime));
    }

    @ParameterizedTest(name = "idle_timeout_seconds {0} clears the declaration")
    @ValueSource(strings = {"0", "-30", "null"})
    void zeroNegativeOrNullTimeoutClearsTheDeclaration(String value) {
        beat("\"runtime_metadata\": {\"idle_timeout_seconds\": 600}");
        Reply reply = beat("\"runtime_metadata\": {\"idle_timeout_seconds\": " + value + "}");
        assertThat(reply.body().at("/dispatch/source").asText()).isEqualTo("default");
        assertThat(runtime().idleTimeoutSeconds()).isNull();
    }

    @Test
    void metadataWithoutATimeoutClearsTheDeclaration() {
        beat("\"runtime_metadata\": {\"idle_timeout_seconds\": 600}");
        beat("\"runtime_metadata\": {\"capabilities\": {\"retry\": true}}");
        assertThat(runtime().idleTimeoutSeconds()).isNull();
        assertThat(runtime().capabilities()).containsExactly(Map.entry("retry", true));
    }

    /** The exact beat a seed runtime posts at every task start and end: it reports the task, nothing else. */
    static final String PARTIAL_BEAT_FIELDS = "\"current_task\": \"summarise the thread\", \"active_tasks\": 1, \"error_rate\": 0, "
            + "\"sample_error\": \"\", \"uptime_seconds\": 0";

    @Test
    void aPartialBeatKeepsTheDeclarationAndUptimeAndRecordsTheTask() {
        beat("\"uptime_seconds\": 3600, \"runtime_metadata\": {\"capabilities\": {\"session\": true}, \"idle_timeout_seconds\": 600}");
        Reply reply = beat(PARTIAL_BEAT_FIELDS);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().at("/dispatch/source").asText()).isEqualTo("runtime");
        assertThat(reply.body().at("/dispatch/idle_timeout_seconds").asInt()).isEqualTo(600);
        RuntimeStatus runtime = runtime();
        assertThat(runtime.idleTimeoutSeconds()).isEqualTo(600);
        assertThat(runtime.capabilities()).containsExactly(Map.entry("session", true));
        assertThat(runtime.uptimeSeconds()).as("uptime_seconds 0 in a partial beat is not a restart").isEqualTo(3600);
        assertThat(runtime.activeTasks()).isEqualTo(1);
        assertThat(runtime.currentTask()).isEqualTo("summarise the thread");
    }

    @Test
    void aDeclarationLapsesWhenNoBeatRenewedItForTheOfflineWindow() {
        beat("\"runtime_metadata\": {\"capabilities\": {\"session\": true}, \"idle_timeout_seconds\": 600}");
        clock.advance(RegistryFixture.OFFLINE_AFTER.minusSeconds(1));
        assertThat(beat(PARTIAL_BEAT_FIELDS).body().at("/dispatch/source").asText()).as("still within the offline window").isEqualTo("runtime");

        clock.advance(Duration.ofSeconds(1));
        Reply lapsed = beat("\"active_tasks\": 0");
        assertThat(lapsed.body().at("/dispatch/source").asText()).isEqualTo("default");
        assertThat(runtime().idleTimeoutSeconds()).isNull();
        assertThat(runtime().capabilities()).isNull();
    }

    @Test
    void aDeclaringBeatRenewsTheDeclarationEvenWhenNothingElseIsWritten() {
        // The same task report in both kinds of beat, so no beat is material and only the write economy decides.
        String declaring = PARTIAL_BEAT_FIELDS + ", \"runtime_metadata\": {\"idle_timeout_seconds\": 600}";
        beat(declaring);
        for (int i = 0; i < 12; i++) { // 6 minutes of 30 s beats, twice the 180 s offline window
            clock.advance(Duration.ofSeconds(30));
            Reply reply = beat(i % 2 == 0 ? declaring : PARTIAL_BEAT_FIELDS);
            assertThat(reply.body().at("/dispatch/source").asText()).as("beat %d, %d s in", i, (i + 1) * 30).isEqualTo("runtime");
            assertThat(runtime().idleTimeoutSeconds()).as("beat %d, %d s in", i, (i + 1) * 30).isEqualTo(600);
        }
    }

    @Test
    void overLongReportTextsAreTruncatedAndTheBeatIsAccepted() {
        String trace = "Traceback (most recent call last):\\n" + "  File \\\"agent.py\\\", line 42, in think\\n".repeat(140);
        Reply reply = beat("\"sample_error\": \"" + trace + "\", \"current_task\": \"" + "é".repeat(5000) + "\", \"active_tasks\": 2");

        assertThat(reply.status()).isEqualTo(200);
        RuntimeStatus runtime = runtime();
        assertThat(runtime.activeTasks()).isEqualTo(2);
        assertThat(runtime.sampleError()).hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_TEXT).startsWith("Traceback")
                .matches("(?s).*\u2026\\[truncated \\d+ bytes]");
        assertThat(runtime.currentTask()).hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_TEXT).startsWith("éé")
                .endsWith("[truncated " + (5000 - runtime.currentTask().indexOf('\u2026')) * 2 + " bytes]");
    }

    @Test
    void aNewDeclarationReplacesTheOldOneWholly() {
        beat("\"runtime_metadata\": {\"capabilities\": {\"session\": true, \"retry\": true}, \"idle_timeout_seconds\": 600}");
        beat("\"runtime_metadata\": {\"capabilities\": {\"scheduler\": true}, \"idle_timeout_seconds\": 900}");
        assertThat(runtime().idleTimeoutSeconds()).isEqualTo(900);
        assertThat(runtime().capabilities()).containsExactly(Map.entry("scheduler", true));
    }

    @Test
    void workspacesAreIsolatedFromEachOther() {
        String otherToken = registry.workspaceWithToken("reviewer");
        beat("\"runtime_metadata\": {\"idle_timeout_seconds\": 600}");
        registry.runtime.heartbeat(otherToken, registry.beat("reviewer", "\"runtime_metadata\": {\"idle_timeout_seconds\": 1200}"));

        assertThat(runtime().idleTimeoutSeconds()).isEqualTo(600);
        assertThat(registry.get("reviewer").getStatus().getRuntime().idleTimeoutSeconds()).isEqualTo(1200);

        Reply crossed = registry.runtime.heartbeat(otherToken, registry.beat("researcher", "\"runtime_metadata\": {\"idle_timeout_seconds\": 60}"));
        assertThat(crossed.status()).as("one workspace's token cannot write another").isEqualTo(401);
        assertThat(runtime().idleTimeoutSeconds()).isEqualTo(600);
    }

    @Test
    void unknownCapabilitiesAndUnknownKeysAreKeptAndIgnoredRespectively() {
        Reply reply = beat("""
                "future_field": {"anything": [1, 2]}, "runtime_metadata": {"capabilities": {"telepathy": true}, "new_knob": 3}""");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(runtime().capabilities()).containsExactly(Map.entry("telepathy", true));
    }

    @Test
    void healthCountersAreRecorded() {
        beat("""
                "error_rate": 0.25, "sample_error": "timeout talking to tool", "active_tasks": 2, "uptime_seconds": 3600,
                "current_task": "summarise", "monthly_spend": 1500, "runtime_state": "wedged\"""");
        RuntimeStatus r = runtime();
        assertThat(r.errorRate()).isEqualTo(0.25);
        assertThat(r.sampleError()).isEqualTo("timeout talking to tool");
        assertThat(r.activeTasks()).isEqualTo(2);
        assertThat(r.uptimeSeconds()).isEqualTo(3600);
        assertThat(r.currentTask()).isEqualTo("summarise");
        assertThat(r.monthlySpendCents()).isEqualTo(1500);
        assertThat(r.state()).isEqualTo("wedged");
        assertThat(registry.get("researcher").getStatus().getLastHeartbeatTime()).isEqualTo(clock.instant().toString());
    }

    @Test
    void emptyRuntimeStateMeansHealthy() {
        beat("\"runtime_state\": \"wedged\"");
        beat("\"runtime_state\": \"\"");
        assertThat(runtime().state()).isNull();
    }

    @Test
    void monthlySpendOfZeroIsNoUpdateAndHugeValuesAreClamped() {
        // Spend alone is not material (write economy); the changing active_tasks forces each write.
        beat("\"monthly_spend\": 1500, \"active_tasks\": 9");
        beat("\"monthly_spend\": 0, \"active_tasks\": 1");
        assertThat(runtime().monthlySpendCents()).isEqualTo(1500);
        beat("\"monthly_spend\": -40, \"active_tasks\": 2");
        assertThat(runtime().monthlySpendCents()).isEqualTo(1500);
        beat("\"monthly_spend\": 99999999999999999999, \"active_tasks\": 3");
        assertThat(runtime().monthlySpendCents()).isEqualTo(1_000_000_000_000L);
    }

    @Test
    void bareWorkspaceNameResolvesInTheDefaultNamespace() {
        Reply reply = registry.runtime.heartbeat(token, "{\"workspace_id\": \"researcher\", \"active_tasks\": 7}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(runtime().activeTasks()).isEqualTo(7);
    }

    @Test
    void responseReportsSpecOverrideAndClamping() {
        registry.workspaces.editSpec("researcher", s -> s.setDispatch(new DispatchSpec(null, 900, null, null)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                beat("\"runtime_metadata\": {\"idle_timeout_seconds\": 3600}").body().at("/dispatch/clamped").asBoolean()).isTrue());
        assertThat(beat("\"runtime_metadata\": {\"idle_timeout_seconds\": 3600}").body().at("/dispatch/idle_timeout_seconds").asInt())
                .isEqualTo(900);

        registry.workspaces.editSpec("researcher", s -> s.setDispatch(new DispatchSpec(120, null, null, null)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(beat("\"active_tasks\": 1").body().at("/dispatch/source").asText())
                .isEqualTo("spec"));
    }

    // --- authentication: every refusal looks the same and writes nothing ---

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no Authorization header  | NONE
            wrong token              | not-the-token
            """)
    void missingOrWrongTokenIs401AndWritesNothing(String description, String presented) {
        long before = heartbeatWrites("researcher");
        RuntimeStatus runtimeBefore = runtime();
        Reply reply = registry.runtime.heartbeat(presented.equals("NONE") ? null : presented,
                registry.beat("researcher", "\"runtime_metadata\": {\"idle_timeout_seconds\": 999}"));
        assertThat(reply.status()).as(description).isEqualTo(401);
        assertThat(heartbeatWrites("researcher")).isEqualTo(before);
        assertThat(runtime()).isEqualTo(runtimeBefore);
    }

    @Test
    void unknownWorkspaceIs401LikeAWrongToken() {
        Reply unknown = registry.runtime.heartbeat(token, registry.beat("nobody", ""));
        Reply wrong = registry.runtime.heartbeat("not-the-token", registry.beat("researcher", ""));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.error().replace("nobody", "X")).isEqualTo(wrong.error().replace("researcher", "X"));
    }

    // --- validation: a clear 400 naming the field, and nothing written ---

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            malformed JSON             | {"workspace_id": "team-a/researcher",                                          | not valid JSON
            body is an array           | [1, 2]                                                                        | JSON object
            missing workspace_id       | {"active_tasks": 1}                                                           | 'workspace_id' is required
            workspace_id not a string  | {"workspace_id": 42}                                                          | 'workspace_id' must be a string
            bad workspace_id           | {"workspace_id": "Team A/../x"}                                               | 'workspace_id'
            float timeout              | {"workspace_id": "team-a/researcher", "runtime_metadata": {"idle_timeout_seconds": 600.5}} | 'runtime_metadata.idle_timeout_seconds' must be a whole number
            string timeout             | {"workspace_id": "team-a/researcher", "runtime_metadata": {"idle_timeout_seconds": "600"}} | 'runtime_metadata.idle_timeout_seconds' must be a whole number
            timeout beyond int32       | {"workspace_id": "team-a/researcher", "runtime_metadata": {"idle_timeout_seconds": 9999999999}} | 'runtime_metadata.idle_timeout_seconds' must be between
            non-bool capability        | {"workspace_id": "team-a/researcher", "runtime_metadata": {"capabilities": {"session": "yes"}}} | 'runtime_metadata.capabilities.session' must be true or false
            capabilities not an object | {"workspace_id": "team-a/researcher", "runtime_metadata": {"capabilities": ["session"]}} | 'runtime_metadata.capabilities' must be an object
            metadata not an object     | {"workspace_id": "team-a/researcher", "runtime_metadata": "600"}              | 'runtime_metadata' must be an object
            negative active tasks      | {"workspace_id": "team-a/researcher", "active_tasks": -1}                     | 'active_tasks' must be between
            error rate above one       | {"workspace_id": "team-a/researcher", "error_rate": 1.5}                      | 'error_rate' must be between 0 and 1
            error rate as string       | {"workspace_id": "team-a/researcher", "error_rate": "0.1"}                    | 'error_rate' must be a number
            NaN                        | {"workspace_id": "team-a/researcher", "error_rate": NaN}                      | not valid JSON
            uptime as float            | {"workspace_id": "team-a/researcher", "uptime_seconds": 1.5}                  | 'uptime_seconds' must be a whole number
            spend as string            | {"workspace_id": "team-a/researcher", "monthly_spend": "15"}                  | 'monthly_spend' must be a whole number
            state as number            | {"workspace_id": "team-a/researcher", "runtime_state": 1}                     | 'runtime_state' must be a string
            duplicate keys             | {"workspace_id": "team-a/researcher", "active_tasks": 1, "active_tasks": 2}   | Duplicate field
            trailing garbage           | {"workspace_id": "team-a/researcher"} {}                                      | not valid JSON
            """)
    void invalidHeartbeatIs400NamingTheProblemAndWritesNothing(String description, String body, String expected) {
        long before = heartbeatWrites("researcher");
        RuntimeStatus runtimeBefore = runtime();
        Reply reply = registry.runtime.heartbeat(token, body);
        assertThat(reply.status()).as(description).isEqualTo(400);
        assertThat(reply.error()).as(description).contains(expected);
        assertThat(heartbeatWrites("researcher")).isEqualTo(before);
        assertThat(runtime()).isEqualTo(runtimeBefore);
    }

    @Test
    void anOverLongStateAndTooManyCapabilitiesAre400() {
        Reply longState = beat("\"runtime_state\": \"" + "x".repeat(HeartbeatParser.MAX_STATE + 1) + "\"");
        assertThat(longState.status()).isEqualTo(400);
        assertThat(longState.error()).contains("'runtime_state' is longer than 64");

        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= HeartbeatParser.MAX_CAPABILITIES; i++) {
            many.append(i == 0 ? "" : ", ").append("\"cap").append(i).append("\": true");
        }
        Reply tooMany = beat("\"runtime_metadata\": {\"capabilities\": {" + many + "}}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.error()).contains("at most 64");
    }

    @Test
    void bodyOver64KiBIs413() {
        Reply reply = beat("\"padding\": \"" + "x".repeat(HeartbeatSettings.MAX_BODY_BYTES) + "\"");
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.error()).contains("65536 bytes");
    }

    @Test
    void wrongMethodIs405AndWrongContentTypeIs415() {
        Reply get = registry.runtime.send(new okhttp3.Request.Builder().url(registry.operator.baseUrl() + "/registry/heartbeat"), token);
        assertThat(get.status()).isEqualTo(405);
        Reply text = registry.runtime.send(new okhttp3.Request.Builder().url(registry.operator.baseUrl() + "/registry/heartbeat")
                .post(okhttp3.RequestBody.create(registry.beat("researcher", ""), okhttp3.MediaType.get("text/plain"))), token);
        assertThat(text.status()).isEqualTo(415);
    }

    @Test
    void aDeletedWorkspacesTokenStopsWorking() {
        beat("\"active_tasks\": 3");
        registry.workspaces.resource("researcher").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(beat("\"active_tasks\": 4").status()).isEqualTo(401));
    }

    // --- the API server going away ---

    @Test
    void apiServerOutageIs503WithRetryAfterAndTheNextBeatCarriesTheStateAgain() throws Exception {
        String declared = "\"runtime_metadata\": {\"idle_timeout_seconds\": 600}";
        Reply during;
        try (AutoCloseable outage = kube.outage()) {
            during = beat(declared);
        }
        assertThat(during.status()).isEqualTo(503);
        assertThat(during.retryAfter()).isEqualTo(String.valueOf(HeartbeatSettings.RETRY_AFTER_SECONDS));
        assertThat(during.error()).contains("cannot be reached");

        await().atMost(WAIT).untilAsserted(() -> assertThat(beat(declared).status()).isEqualTo(200));
        assertThat(runtime().idleTimeoutSeconds()).as("nothing accepted is lost: the next beat wrote it").isEqualTo(600);
    }

    // --- write economy ---

    @Test
    void unchangedBeatsFrom100WorkspacesWriteOncePerInterval() {
        Map<String, String> tokens = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            registry.workspaces.create("agent-" + i);
        }
        for (int i = 0; i < 100; i++) {
            tokens.put("agent-" + i, registry.tokenOf("agent-" + i));
        }
        long before = kube.count(r -> r.method().equals("PATCH") && r.body().contains("lastHeartbeatTime"));
        String steady = "\"active_tasks\": 1, \"runtime_metadata\": {\"idle_timeout_seconds\": 600}";

        for (int round = 0; round < 10; round++) {
            tokens.forEach((name, t) -> assertThat(registry.runtime.heartbeat(t, registry.beat(name, steady)).status()).isEqualTo(200));
        }
        long firstInterval = kube.count(r -> r.method().equals("PATCH") && r.body().contains("lastHeartbeatTime")) - before;
        assertThat(firstInterval).as("1,000 unchanged beats within one interval: one write per workspace").isEqualTo(100);

        clock.advance(RegistryFixture.STATUS_INTERVAL);
        tokens.forEach((name, t) -> registry.runtime.heartbeat(t, registry.beat(name, steady)));
        long afterRefresh = kube.count(r -> r.method().equals("PATCH") && r.body().contains("lastHeartbeatTime")) - before;
        assertThat(afterRefresh).as("one refresh per workspace once the interval has passed").isEqualTo(200);

        String changed = "\"active_tasks\": 1, \"runtime_metadata\": {\"idle_timeout_seconds\": 900}";
        registry.runtime.heartbeat(tokens.get("agent-7"), registry.beat("agent-7", changed));
        assertThat(registry.get("agent-7").getStatus().getRuntime().idleTimeoutSeconds()).as("a changed declaration is written at once")
                .isEqualTo(900);
    }

    @Test
    void refreshComesAtLeastThreeTimesPerIdleWindow() {
        registry.workspaces.editSpec("researcher", s -> s.setDispatch(new DispatchSpec(30, null, null, null)));
        await().atMost(WAIT).until(() -> registry.get("researcher").getStatus().getDispatch().idleTimeoutSeconds() == 30);
        beat("\"active_tasks\": 1");
        long first = heartbeatWrites("researcher");

        clock.advance(Duration.ofSeconds(9));
        beat("\"active_tasks\": 1");
        assertThat(heartbeatWrites("researcher")).as("9 s is less than a third of 30 s").isEqualTo(first);

        clock.advance(Duration.ofSeconds(1));
        beat("\"active_tasks\": 1");
        assertThat(heartbeatWrites("researcher")).as("10 s is a third of the 30 s window").isEqualTo(first + 1);
    }

    @Test
    void theFirstBeatAfterAWakeIsWrittenAtOnceSinceHeldCallsWaitForIt() throws Exception {
        PodTemplate template = new PodTemplate(null, new ObjectMapper().readTree("{\"containers\": [{\"name\": \"a\", \"image\": \"a:1\"}]}"));
        registry.workspaces.create("sleeper", spec -> {
            spec.setUrl(null);
            spec.setTemplate(template);
        });
        String sleeper = registry.tokenOf("sleeper");
        registry.runtime.heartbeat(sleeper, registry.beat("sleeper", "\"active_tasks\": 0"));
        registry.workspaces.resource("sleeper").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + HibernationRule.ANNOTATION + "\":\"now\"}}}");
        await().atMost(WAIT).until(() -> state("sleeper") == HibernationState.Hibernated);
        clock.advance(Duration.ofSeconds(1));
        kube.client().resource(ActivityLease.toLease("default", new WorkspaceId(NS, "sleeper"), "a-proxy", clock.instant(), clock.instant(), ActivityLease.DURATION)).create();
        await().atMost(WAIT).until(() -> state("sleeper") == HibernationState.Waking);
        long before = heartbeatWrites("sleeper");

        registry.runtime.heartbeat(sleeper, registry.beat("sleeper", "\"active_tasks\": 0"));

        assertThat(heartbeatWrites("sleeper")).as("an unchanged beat well within the refresh interval, written because it is the woken runtime's")
                .isEqualTo(before + 1);
        assertThat(registry.get("sleeper").getStatus().lastHeartbeat())
                .isAfterOrEqualTo(registry.get("sleeper").getStatus().getHibernation().sinceTime());
    }

    HibernationState state(String name) {
        var status = registry.get(name).getStatus();
        return status == null || status.getHibernation() == null ? null : status.getHibernation().state();
    }
}
