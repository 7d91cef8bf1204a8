package dev.tether.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
    @ParameterizedTest
    @CsvSource({"300s, 300000", "5m, 300000", "2h, 7200000", "250ms, 250", "0s, 0"})
    void parsesTheDocumentedUnits(String text, long millis) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"300", "5 m", "-5s", "1.5h", "5d", "", "s", "9999999999s"})
    void rejectsAnythingElseWithAnExample(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "' is not a duration")
                .hasMessageContaining("300s, 5m or 2h");
    }

    @ParameterizedTest
    @CsvSource({"7200, 2h", "300, 5m", "45, 45s"})
    void formatsInTheLargestWholeUnit(long seconds, String text) {
        assertThat(DurationConverter.format(Duration.ofSeconds(seconds))).isEqualTo(text);
    }
}
