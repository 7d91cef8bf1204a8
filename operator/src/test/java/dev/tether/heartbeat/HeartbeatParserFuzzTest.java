package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.http.HttpError;

/**
 * Heartbeat parsing and validation under arbitrary bytes: {@link HeartbeatParser#parse} returns a
 * heartbeat that satisfies every documented bound, or throws an {@link HttpError} 400; never anything
 * else. The seeds in {@code HeartbeatParserFuzzTestInputs/parse/} run as plain tests in every build;
 * {@code JAZZER_FUZZ=1} fuzzes for real (docs/reliability.md).
 */
class HeartbeatParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] body) {
        Heartbeat beat;
        try {
            beat = HeartbeatParser.parse(body, "default");
        } catch (HttpError e) {
            assertThat(e.status()).as("rejection status").isEqualTo(400);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertValid(beat);
    }

    static void assertValid(Heartbeat beat) {
        assertThat(beat).isNotNull();
        assertThat(beat.workspace()).isNotNull();
        assertThat(beat.workspace().namespace()).matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
        assertThat(beat.workspace().name()).hasSizeLessThanOrEqualTo(253).matches("[a-z0-9][-a-z0-9.]*");
        if (beat.errorRate() != null) {
            assertThat(beat.errorRate()).isFinite().isBetween(0.0, 1.0);
        }
        if (beat.activeTasks() != null) {
            assertThat(beat.activeTasks()).isBetween(0, HeartbeatParser.MAX_ACTIVE_TASKS);
        }
        if (beat.uptimeSeconds() != null) {
            assertThat(beat.uptimeSeconds()).isBetween(0L, HeartbeatParser.MAX_UPTIME_SECONDS);
        }
        if (beat.monthlySpendCents() != null) {
            assertThat(beat.monthlySpendCents()).isBetween(1L, HeartbeatParser.MAX_SPEND_CENTS);
        }
        if (beat.declaredIdleTimeout() != null) {
            assertThat(beat.declaredIdleTimeout()).isPositive();
        }
        for (String text : new String[] {beat.sampleError(), beat.currentTask()}) {
            if (text != null) {
                assertThat(text).isNotEmpty().hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_TEXT);
                assertEncodable(text);
            }
        }
        if (beat.runtimeState() != null) {
            assertThat(beat.runtimeState()).isNotEmpty().hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_STATE);
            assertEncodable(beat.runtimeState());
        }
        if (beat.capabilities() != null) {
            assertThat(beat.capabilities()).hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_CAPABILITIES);
            beat.capabilities().forEach((name, on) -> {
                assertThat(name).matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
                assertThat(on).isNotNull();
            });
        }
    }

    /** What the endpoint writes must survive being written: the status patch is UTF-8 JSON. */
    private static void assertEncodable(String text) {
        assertThat(java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(text))
                .as("a stored string must be valid UTF-16 (no lone surrogates): %s", text).isTrue();
    }
}
