package dev.tether.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.DispatchStatus;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The dispatch-policy rules: examples a reader can check by eye, then the invariants over many inputs. */
class DispatchPolicyTest {
    static final PolicySettings SETTINGS = PolicySettings.DEFAULTS; // default 300 s, range 10 s..2 h, ceiling 1800 s

    @Test
    void nothingDeclaredGivesThePlatformDefault() {
        assertThat(DispatchPolicy.resolve(null, null, SETTINGS))
                .isEqualTo(new DispatchStatus(300, DispatchSource.Default, false, 1800));
    }

    @Test
    void runtimeDeclarationWinsOverTheDefault() {
        assertThat(DispatchPolicy.resolve(null, 600, SETTINGS))
                .isEqualTo(new DispatchStatus(600, DispatchSource.Runtime, false, 1800));
    }

    @Test
    void specOverrideBeatsTheRuntime() {
        assertThat(DispatchPolicy.resolve(new DispatchSpec(120, null, 3600), 600, SETTINGS))
                .isEqualTo(new DispatchStatus(120, DispatchSource.Spec, false, 3600));
    }

    @Test
    void declarationAboveTheSpecMaximumIsClamped() {
        assertThat(DispatchPolicy.resolve(new DispatchSpec(null, 900, null), 3600, SETTINGS))
                .isEqualTo(new DispatchStatus(900, DispatchSource.Runtime, true, 1800));
    }

    @Test
    void declarationAboveTheGlobalMaximumIsClampedEvenWithALargerSpecMaximum() {
        assertThat(DispatchPolicy.resolve(new DispatchSpec(null, 86_400, null), 86_400, SETTINGS))
                .isEqualTo(new DispatchStatus(7200, DispatchSource.Runtime, true, 1800));
    }

    @Test
    void declarationBelowTheMinimumIsRaised() {
        assertThat(DispatchPolicy.resolve(null, 3, SETTINGS))
                .isEqualTo(new DispatchStatus(10, DispatchSource.Runtime, true, 1800));
    }

    @Test
    void zeroOrNegativeDeclarationCountsAsNone() {
        assertThat(DispatchPolicy.resolve(null, 0, SETTINGS).source()).isEqualTo(DispatchSource.Default);
        assertThat(DispatchPolicy.resolve(null, -5, SETTINGS).source()).isEqualTo(DispatchSource.Default);
    }

    @Property
    void resultIsAlwaysWithinItsRulesBounds(@ForAll("specs") DispatchSpec spec, @ForAll("declarations") Integer declared,
            @ForAll("settings") PolicySettings settings) {
        DispatchStatus result = DispatchPolicy.resolve(spec, declared, settings);
        assertThat(result.idleTimeoutSeconds()).isPositive();
        switch (result.source()) {
            case Spec -> assertThat(result.idleTimeoutSeconds()).isEqualTo(spec.idleTimeoutSeconds());
            case Default -> assertThat(result.idleTimeoutSeconds()).isEqualTo(settings.defaultIdleSeconds());
            case Runtime -> {
                int upper = Math.min(settings.maxIdleSeconds(),
                        spec != null && spec.maxIdleTimeoutSeconds() != null ? spec.maxIdleTimeoutSeconds() : Integer.MAX_VALUE);
                assertThat(result.idleTimeoutSeconds()).isLessThanOrEqualTo(upper);
                if (upper >= settings.minIdleSeconds()) {
                    assertThat(result.idleTimeoutSeconds()).isGreaterThanOrEqualTo(settings.minIdleSeconds());
                }
            }
        }
    }

    @Property
    void specOverrideAlwaysWins(@ForAll @IntRange(min = 1, max = 86_400) int override, @ForAll("declarations") Integer declared,
            @ForAll("settings") PolicySettings settings) {
        DispatchStatus result = DispatchPolicy.resolve(new DispatchSpec(override, null, null), declared, settings);
        assertThat(result.source()).isEqualTo(DispatchSource.Spec);
        assertThat(result.idleTimeoutSeconds()).isEqualTo(override);
        assertThat(result.clamped()).isFalse();
    }

    @Property
    void absentDeclarationWithoutOverrideGivesTheDefault(@ForAll("specsWithoutOverride") DispatchSpec spec,
            @ForAll("settings") PolicySettings settings) {
        DispatchStatus result = DispatchPolicy.resolve(spec, null, settings);
        assertThat(result.source()).isEqualTo(DispatchSource.Default);
        assertThat(result.idleTimeoutSeconds()).isEqualTo(settings.defaultIdleSeconds());
    }

    @Property
    void clampedIsTrueExactlyWhenTheDeclarationWasChanged(@ForAll("specsWithoutOverride") DispatchSpec spec,
            @ForAll @IntRange(min = 1, max = 200_000) int declared, @ForAll("settings") PolicySettings settings) {
        DispatchStatus result = DispatchPolicy.resolve(spec, declared, settings);
        assertThat(result.source()).isEqualTo(DispatchSource.Runtime);
        assertThat(result.clamped()).isEqualTo(result.idleTimeoutSeconds() != declared);
    }

    @Property
    void ceilingComesFromTheSpecElseTheSetting(@ForAll("specs") DispatchSpec spec, @ForAll("settings") PolicySettings settings) {
        DispatchStatus result = DispatchPolicy.resolve(spec, null, settings);
        int expected = spec != null && spec.maxDurationSeconds() != null ? spec.maxDurationSeconds() : settings.defaultMaxDurationSeconds();
        assertThat(result.maxDurationSeconds()).isEqualTo(expected);
    }

    @Provide
    Arbitrary<PolicySettings> settings() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 600),
                        Arbitraries.integers().between(0, 20_000),
                        Arbitraries.integers().between(0, 60_000),
                        Arbitraries.integers().between(1, 86_400))
                .as((min, extraDefault, extraMax, ceiling) -> {
                    int max = Math.min(86_400, min + extraMax);
                    int dflt = Math.min(max, min + extraDefault);
                    return new PolicySettings(Duration.ofSeconds(dflt), Duration.ofSeconds(min), Duration.ofSeconds(max),
                            Duration.ofSeconds(ceiling));
                });
    }

    @Provide
    Arbitrary<Integer> declarations() {
        return Arbitraries.integers().between(-10, 200_000).injectNull(0.2);
    }

    @Provide
    Arbitrary<DispatchSpec> specs() {
        Arbitrary<Integer> seconds = Arbitraries.integers().between(1, 86_400).injectNull(0.5);
        return Combinators.combine(seconds, seconds, seconds).as(DispatchSpec::new).injectNull(0.2);
    }

    @Provide
    Arbitrary<DispatchSpec> specsWithoutOverride() {
        Arbitrary<Integer> seconds = Arbitraries.integers().between(1, 86_400).injectNull(0.5);
        return Combinators.combine(seconds, seconds).as((max, ceiling) -> new DispatchSpec(null, max, ceiling));
    }
}
