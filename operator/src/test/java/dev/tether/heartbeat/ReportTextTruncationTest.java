package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Over-long report texts are cut to the bound and say how much was left out; nothing else changes. */
class ReportTextTruncationTest {

    @Test
    void textsWithinTheBoundAreUntouched() {
        String exact = "x".repeat(HeartbeatParser.MAX_TEXT);
        assertThat(HeartbeatParser.truncated(exact, HeartbeatParser.MAX_TEXT)).isSameAs(exact);
        assertThat(HeartbeatParser.truncated(null, HeartbeatParser.MAX_TEXT)).isNull();
    }

    @ParameterizedTest(name = "{0} characters")
    @ValueSource(ints = {4097, 5000, 60_000})
    void longerTextsKeepTheirStartAndNameTheBytesLeftOut(int length) {
        for (String unit : new String[] {"a", "é", "\uD83D\uDE00"}) { // 1, 2 and 4 UTF-8 bytes per character
            String value = unit.repeat(length);
            String cut = HeartbeatParser.truncated(value, HeartbeatParser.MAX_TEXT);

            assertThat(cut).hasSizeLessThanOrEqualTo(HeartbeatParser.MAX_TEXT).startsWith(unit.repeat(10));
            String kept = cut.substring(0, cut.indexOf('\u2026'));
            assertThat(value).startsWith(kept);
            int dropped = value.getBytes(StandardCharsets.UTF_8).length - kept.getBytes(StandardCharsets.UTF_8).length;
            assertThat(cut).isEqualTo(kept + "\u2026[truncated " + dropped + " bytes]");
            assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(cut)).as("no surrogate pair split").isTrue();
        }
    }
}
