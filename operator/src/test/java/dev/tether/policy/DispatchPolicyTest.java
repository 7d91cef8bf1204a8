package dev.tether.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.DispatchStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatch-policy rules: examples a reader can check by eye, then the invariants over generated
 * inputs. Each invariant runs over every combination of edge values (the narrowest and widest
 * settings, declarations and spec bounds on each side of each bound), then over {@value #RANDOM_CASES}
 * random cases drawn from a {@link SplittableRandom} seeded with {@value #SEED}. Every case's name, and
 * every failure message, carries the seed, the case's index and its inputs, so a failing case is
 * reproduced by rerunning the test (or by calling {@code DispatchPolicy.resolve} with those inputs).
 */
class DispatchPolicyTest {
    static final PolicySettings SETTINGS = PolicySettings.DEFAULTS; // default 300 s, range 10 s..2 h, ceiling 1800 s
    /** Seeds every generated case; change it to explore other cases, keep it to reproduce a failure. */
    static final long SEED = 20_261_125L;
    static final int RANDOM_CASES = 1000;
    static final String CASE = "seed " + SEED + ", case {index}: {arguments}";
    static final int MAX = (int) DispatchSpec.MAX_SECONDS;

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
        assertThat(DispatchPolicy.resolve(new DispatchSpec(120, null, 3600, null), 600, SETTINGS))
                .isEqualTo(new DispatchStatus(120, DispatchSource.Spec, false, 3600));
    }

    @Test
    void declarationAboveTheSpecMaximumIsClamped() {
        assertThat(DispatchPolicy.resolve(new DispatchSpec(null, 900, null, null), 3600, SETTINGS))
                .isEqualTo(new DispatchStatus(900, DispatchSource.Runtime, true, 1800));
    }

    @Test
    void declarationAboveTheGlobalMaximumIsClampedEvenWithALargerSpecMaximum() {
        assertThat(DispatchPolicy.resolve(new DispatchSpec(null, 86_400, null, null), 86_400, SETTINGS))
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

    @ParameterizedTest(name = CASE)
    @MethodSource("specsDeclarationsAndSettings")
    void resultIsAlwaysWithinItsRulesBounds(DispatchSpec spec, Integer declared, PolicySettings settings, TestInfo test) {
        String c = test.getDisplayName();
        DispatchStatus result = DispatchPolicy.resolve(spec, declared, settings);
        assertThat(result.idleTimeoutSeconds()).as(c).isPositive();
        switch (result.source()) {
            case Spec -> assertThat(result.idleTimeoutSeconds()).as(c).isEqualTo(spec.idleTimeoutSeconds());
            case Default -> assertThat(result.idleTimeoutSeconds()).as(c).isEqualTo(settings.defaultIdleSeconds());
            case Runtime -> {
                int upper = upper(spec, settings);
                assertThat(result.idleTimeoutSeconds()).as(c).isLessThanOrEqualTo(upper);
                if (upper >= settings.minIdleSeconds()) {
                    assertThat(result.idleTimeoutSeconds()).as(c).isGreaterThanOrEqualTo(settings.minIdleSeconds());
                }
            }
        }
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("overridesDeclarationsAndSettings")
    void specOverrideAlwaysWins(int override, Integer declared, PolicySettings settings, TestInfo test) {
        DispatchStatus result = DispatchPolicy.resolve(new DispatchSpec(override, null, null, null), declared, settings);
        assertThat(result.source()).as(test.getDisplayName()).isEqualTo(DispatchSource.Spec);
        assertThat(result.idleTimeoutSeconds()).as(test.getDisplayName()).isEqualTo(override);
        assertThat(result.clamped()).as(test.getDisplayName()).isFalse();
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("specsWithoutOverrideAndSettings")
    void absentDeclarationWithoutOverrideGivesTheDefault(DispatchSpec spec, PolicySettings settings, TestInfo test) {
        DispatchStatus result = DispatchPolicy.resolve(spec, null, settings);
        assertThat(result.source()).as(test.getDisplayName()).isEqualTo(DispatchSource.Default);
        assertThat(result.idleTimeoutSeconds()).as(test.getDisplayName()).isEqualTo(settings.defaultIdleSeconds());
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("specsWithoutOverridePositiveDeclarationsAndSettings")
    void clampedIsTrueExactlyWhenTheDeclarationWasChanged(DispatchSpec spec, int declared, PolicySettings settings, TestInfo test) {
        DispatchStatus result = DispatchPolicy.resolve(spec, declared, settings);
        assertThat(result.source()).as(test.getDisplayName()).isEqualTo(DispatchSource.Runtime);
        assertThat(result.clamped()).as(test.getDisplayName()).isEqualTo(result.idleTimeoutSeconds() != declared);
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("specsWithoutOverrideDeclarationsWithinBoundsAndSettings")
    void declarationWithinItsBoundsIsKept(DispatchSpec spec, int declared, PolicySettings settings, TestInfo test) {
        assertThat(DispatchPolicy.resolve(spec, declared, settings)).as(test.getDisplayName())
                .isEqualTo(new DispatchStatus(declared, DispatchSource.Runtime, false, ceiling(spec, settings)));
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("specsAndSettings")
    void ceilingComesFromTheSpecElseTheSetting(DispatchSpec spec, PolicySettings settings, TestInfo test) {
        DispatchStatus result = DispatchPolicy.resolve(spec, null, settings);
        assertThat(result.maxDurationSeconds()).as(test.getDisplayName()).isEqualTo(ceiling(spec, settings));
    }

    /** The tightest maximum a declaration is held to: the global one, or the admin's if lower. */
    static int upper(DispatchSpec spec, PolicySettings settings) {
        return Math.min(settings.maxIdleSeconds(),
                spec != null && spec.maxIdleTimeoutSeconds() != null ? spec.maxIdleTimeoutSeconds() : Integer.MAX_VALUE);
    }

    static int ceiling(DispatchSpec spec, PolicySettings settings) {
        return spec != null && spec.maxDurationSeconds() != null ? spec.maxDurationSeconds() : settings.defaultMaxDurationSeconds();
    }

    // Edge values: every combination is a case, ahead of the random ones.

    /** A one-second range, the widest range with its default at either end, a range of one value, and the defaults. */
    static final List<PolicySettings> EDGE_SETTINGS = List.of(settings(1, 1, 1, 1), settings(1, 1, MAX, MAX), settings(MAX, 1, MAX, 1),
            settings(600, 600, 600, 1800), SETTINGS);

    /** On each side of each bound, none, and the invalid ones that count as none. */
    static List<Integer> edgeDeclarations(PolicySettings s) {
        return distinct(null, -10, -1, 0, 1, s.minIdleSeconds() - 1, s.minIdleSeconds(), s.minIdleSeconds() + 1, s.maxIdleSeconds() - 1,
                s.maxIdleSeconds(), s.maxIdleSeconds() + 1, MAX, MAX + 1, 200_000);
    }

    /** Admin maximums below, at and above each global bound, with and without a ceiling. */
    static List<DispatchSpec> edgeSpecsWithoutOverride(PolicySettings s) {
        List<DispatchSpec> specs = new ArrayList<>();
        for (Integer max : distinct(null, 1, s.minIdleSeconds() - 1, s.minIdleSeconds(), s.maxIdleSeconds() - 1, s.maxIdleSeconds(),
                s.maxIdleSeconds() + 1, MAX)) {
            if (max == null || max >= 1 && max <= MAX) {
                specs.add(new DispatchSpec(null, max, null, null));
            }
        }
        specs.add(new DispatchSpec(null, null, 1, null));
        specs.add(new DispatchSpec(null, s.minIdleSeconds(), MAX, null));
        return specs;
    }

    /** No spec, the edges without an override, and the smallest and largest overrides with and without bounds. */
    static List<DispatchSpec> edgeSpecs(PolicySettings s) {
        List<DispatchSpec> specs = new ArrayList<>();
        specs.add(null);
        specs.addAll(edgeSpecsWithoutOverride(s));
        specs.addAll(List.of(new DispatchSpec(1, null, null, null), new DispatchSpec(MAX, null, null, null), new DispatchSpec(1, 1, 1, null),
                new DispatchSpec(MAX, 1, MAX, null), new DispatchSpec(MAX, MAX, MAX, null)));
        return specs;
    }

    // The sources: the edge cases, then RANDOM_CASES random ones, each source from its own generator seeded with SEED.

    static Stream<Arguments> specsDeclarationsAndSettings() {
        return cases(s -> edgeSpecs(s).stream().flatMap(spec -> edgeDeclarations(s).stream().map(d -> Arguments.of(spec, d, s))),
                g -> Arguments.of(g.spec(), g.declaration(), g.settings()));
    }

    static Stream<Arguments> overridesDeclarationsAndSettings() {
        return cases(s -> distinct(1, s.minIdleSeconds(), s.maxIdleSeconds(), MAX).stream()
                        .flatMap(override -> edgeDeclarations(s).stream().map(d -> Arguments.of(override, d, s))),
                g -> Arguments.of(g.between(1, MAX), g.declaration(), g.settings()));
    }

    static Stream<Arguments> specsWithoutOverrideAndSettings() {
        return cases(s -> edgeSpecsWithoutOverride(s).stream().map(spec -> Arguments.of(spec, s)),
                g -> Arguments.of(g.specWithoutOverride(), g.settings()));
    }

    static Stream<Arguments> specsWithoutOverridePositiveDeclarationsAndSettings() {
        return cases(s -> edgeSpecsWithoutOverride(s).stream().flatMap(spec -> edgeDeclarations(s).stream()
                        .filter(d -> d != null && d > 0).map(d -> Arguments.of(spec, d, s))),
                g -> Arguments.of(g.specWithoutOverride(), g.between(1, 200_000), g.settings()));
    }

    static Stream<Arguments> specsWithoutOverrideDeclarationsWithinBoundsAndSettings() {
        return cases(s -> edgeSpecsWithoutOverride(s).stream().flatMap(spec -> edgeDeclarations(s).stream()
                        .filter(d -> d != null && d >= s.minIdleSeconds() && d <= upper(spec, s)).map(d -> Arguments.of(spec, d, s))),
                g -> {
                    PolicySettings s = g.settings();
                    DispatchSpec spec = g.specWithoutOverride();
                    while (upper(spec, s) < s.minIdleSeconds()) { // an admin maximum below the global minimum leaves no room
                        spec = g.specWithoutOverride();
                    }
                    return Arguments.of(spec, g.between(s.minIdleSeconds(), upper(spec, s)), s);
                });
    }

    static Stream<Arguments> specsAndSettings() {
        return cases(s -> edgeSpecs(s).stream().map(spec -> Arguments.of(spec, s)), g -> Arguments.of(g.spec(), g.settings()));
    }

    static Stream<Arguments> cases(Function<PolicySettings, Stream<Arguments>> edges, Function<Generator, Arguments> random) {
        Generator generator = new Generator(new SplittableRandom(SEED));
        return Stream.concat(EDGE_SETTINGS.stream().flatMap(edges), Stream.generate(() -> random.apply(generator)).limit(RANDOM_CASES));
    }

    /** Random inputs over the ranges the CRD and the settings allow (and past them, for declarations). */
    record Generator(SplittableRandom random) {
        int between(int min, int max) {
            return random.nextInt(min, max + 1);
        }

        Integer orNull(double nullChance, int min, int max) {
            return random.nextDouble() < nullChance ? null : between(min, max);
        }

        /** A valid range with its default inside it, and a ceiling. */
        PolicySettings settings() {
            int min = between(1, 600);
            int max = Math.min(MAX, min + between(0, 60_000));
            int dflt = Math.min(max, min + between(0, 20_000));
            return DispatchPolicyTest.settings(dflt, min, max, between(1, MAX));
        }

        /** None a fifth of the time; otherwise from below zero to far past the global maximum. */
        Integer declaration() {
            return orNull(0.2, -10, 200_000);
        }

        /** No spec a fifth of the time; otherwise each field set half of the time. */
        DispatchSpec spec() {
            return random.nextDouble() < 0.2 ? null : new DispatchSpec(orNull(0.5, 1, MAX), orNull(0.5, 1, MAX), orNull(0.5, 1, MAX), null);
        }

        DispatchSpec specWithoutOverride() {
            return new DispatchSpec(null, orNull(0.5, 1, MAX), orNull(0.5, 1, MAX), null);
        }
    }

    static PolicySettings settings(int defaultSeconds, int minSeconds, int maxSeconds, int ceilingSeconds) {
        return new PolicySettings(Duration.ofSeconds(defaultSeconds), Duration.ofSeconds(minSeconds), Duration.ofSeconds(maxSeconds),
                Duration.ofSeconds(ceilingSeconds));
    }

    /** The values once each, in order; null is kept as a value. */
    @SafeVarargs
    static <T> List<T> distinct(T... values) {
        return Arrays.stream(values).distinct().toList();
    }
}
