package dev.tether.hibernation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.activity.ActivityLease;
import dev.tether.api.HibernationSpec;
import dev.tether.api.HibernationState;
import dev.tether.api.HibernationStatus;
import dev.tether.api.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When a runtime sleeps and wakes: examples a reader can check by eye, then the safety rules over {@value #RANDOM_CASES}
 * generated inputs drawn from a {@link SplittableRandom} seeded with {@value #SEED} (each case's name carries its inputs).
 */
class HibernationRuleTest {
    static final long SEED = 20_261_126L;
    static final int RANDOM_CASES = 2000;
    static final String CASE = "seed " + SEED + ", case {index}: {0}";
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final WorkspaceId WS = new WorkspaceId("team-a", "researcher");
    static final HibernationSpec AFTER_60S = new HibernationSpec(60, 30);

    static ActivityLease lease(Instant acquired, Instant renewed) {
        return new ActivityLease(WS, "proxy-a", acquired, renewed, ActivityLease.DURATION);
    }

    static HibernationRule.Inputs awake(HibernationSpec spec, Instant idleSince, List<ActivityLease> leases, int runtimeActive, String annotation) {
        return new HibernationRule.Inputs(spec, HibernationStatus.awake(NOW.minusSeconds(3600), idleSince), leases, runtimeActive,
                NOW.minusSeconds(5), true, annotation, NOW);
    }

    @Test
    void idleForTheWholeWindowHibernatesAndScalesToZero() {
        HibernationRule.Decision d = HibernationRule.decide(awake(AFTER_60S, NOW.minusSeconds(60), List.of(), 0, null));

        assertThat(d.status().state()).isEqualTo(HibernationState.Hibernated);
        assertThat(d.status().sinceTime()).isEqualTo(NOW);
        assertThat(d.replicas()).isZero();
        assertThat(d.event().reason()).isEqualTo("Hibernated");
        assertThat(d.event().message()).contains("idle for 60.0s");
    }

    @Test
    void idleForLessThanTheWindowStaysAwakeAndLooksAgainWhenItEnds() {
        HibernationRule.Decision d = HibernationRule.decide(awake(AFTER_60S, NOW.minusSeconds(45), List.of(), 0, null));

        assertThat(d.status().state()).isEqualTo(HibernationState.Awake);
        assertThat(d.status().idleSinceTime()).isEqualTo(NOW.minusSeconds(45));
        assertThat(d.replicas()).isEqualTo(1);
        assertThat(d.event()).isNull();
        assertThat(d.recheckIn()).contains(Duration.ofSeconds(15));
    }

    @Test
    void theIdleClockStartsWhenNothingIsActiveAnyMore() {
        HibernationRule.Decision d = HibernationRule.decide(awake(AFTER_60S, null, List.of(), 0, null));

        assertThat(d.status().idleSinceTime()).isEqualTo(NOW);
        assertThat(d.recheckIn()).contains(Duration.ofSeconds(60));
    }

    @Test
    void aDispatchInFlightOnAnyReplicaStopsTheClockUntilItsLeaseWouldRunOut() {
        ActivityLease inFlight = lease(NOW.minusSeconds(600), NOW.minusSeconds(10));

        HibernationRule.Decision d = HibernationRule.decide(awake(AFTER_60S, NOW.minusSeconds(3000), List.of(inFlight), 0, null));

        assertThat(d.status().state()).isEqualTo(HibernationState.Awake);
        assertThat(d.status().idleSince()).as("the clock restarts once the call is over").isNull();
        assertThat(d.recheckIn()).contains(ActivityLease.DURATION.minusSeconds(10));
    }

    @Test
    void aLeaseItsReplicaStoppedRenewingNoLongerKeepsTheWorkspaceAwake() {
        ActivityLease dead = lease(NOW.minusSeconds(600), NOW.minus(ActivityLease.DURATION).minusSeconds(1));

        HibernationRule.Decision d = HibernationRule.decide(awake(AFTER_60S, null, List.of(dead), 0, null));

        assertThat(d.status().idleSinceTime()).as("idle from now: the dying replica kept it awake at most one Lease duration").isEqualTo(NOW);
    }

    @Test
    void aRuntimeReportingActiveTasksIsNeverIdle() {
        HibernationRule.Decision d = HibernationRule.decide(awake(AFTER_60S, NOW.minusSeconds(3000), List.of(), 1, null));

        assertThat(d.status().state()).isEqualTo(HibernationState.Awake);
        assertThat(d.status().idleSince()).isNull();
    }

    @Test
    void withoutAnIdleWindowItNeverHibernatesOnItsOwn() {
        HibernationRule.Decision d = HibernationRule.decide(awake(null, NOW.minusSeconds(86_400), List.of(), 0, null));

        assertThat(d.status().state()).isEqualTo(HibernationState.Awake);
        assertThat(d.recheckIn()).isEmpty();
    }

    @Test
    void aRuntimeStillStartingIsNotIdle() {
        HibernationRule.Inputs starting = new HibernationRule.Inputs(AFTER_60S, HibernationStatus.awake(NOW.minusSeconds(600), null),
                List.of(), 0, null, false, null, NOW);

        assertThat(HibernationRule.decide(starting).status().idleSince()).isNull();
    }

    @Test
    void aCallArrivingAfterTheWorkspaceFellAsleepWakesItAndRecordsWhen() {
        HibernationStatus asleep = HibernationStatus.hibernated(NOW.minusSeconds(300));
        ActivityLease call = lease(NOW.minusMillis(40), NOW.minusMillis(40));

        HibernationRule.Decision d = HibernationRule.decide(new HibernationRule.Inputs(AFTER_60S, asleep, List.of(call), 0,
                NOW.minusSeconds(400), false, null, NOW));

        assertThat(d.status().state()).isEqualTo(HibernationState.Waking);
        assertThat(d.status().sinceTime()).isEqualTo(NOW);
        assertThat(d.status().wakeRequestedAt()).isEqualTo(NOW.minusMillis(40));
        assertThat(d.replicas()).isEqualTo(1);
        assertThat(d.recheckIn()).contains(Duration.ofSeconds(30));
    }

    @Test
    void aRunOfCallsThatBeganBeforeAForcedHibernationDoesNotWakeIt() {
        HibernationStatus asleep = HibernationStatus.hibernated(NOW.minusSeconds(5));
        ActivityLease older = lease(NOW.minusSeconds(50), NOW.minusSeconds(1));

        HibernationRule.Decision d = HibernationRule.decide(new HibernationRule.Inputs(AFTER_60S, asleep, List.of(older), 0,
                NOW.minusSeconds(10), false, null, NOW));

        assertThat(d.status().state()).isEqualTo(HibernationState.Hibernated);
        assertThat(d.replicas()).isZero();
    }

    @Test
    void wakingIsOverOnceAReplicaIsAvailableAndHasHeartbeatenSinceTheWake() {
        HibernationStatus waking = HibernationStatus.waking(NOW.minusSeconds(4), NOW.minusSeconds(5));

        HibernationRule.Decision notYet = HibernationRule.decide(new HibernationRule.Inputs(AFTER_60S, waking, List.of(), 0,
                NOW.minusSeconds(600), true, null, NOW));
        HibernationRule.Decision woken = HibernationRule.decide(new HibernationRule.Inputs(AFTER_60S, waking, List.of(), 0,
                NOW.minusSeconds(1), true, null, NOW));

        assertThat(notYet.status().state()).as("a heartbeat from before the wake is not the woken runtime's").isEqualTo(HibernationState.Waking);
        assertThat(woken.status().state()).isEqualTo(HibernationState.Awake);
        assertThat(woken.event().reason()).isEqualTo("Woken");
        assertThat(woken.event().message()).contains("5.0s after the dispatch that woke it");
    }

    @Test
    void aWakePastItsTimeoutWithNoCallLeftGoesBackToSleepWithAWarning() {
        HibernationStatus waking = HibernationStatus.waking(NOW.minusSeconds(31), NOW.minusSeconds(32));
        ActivityLease waiting = lease(NOW.minusSeconds(32), NOW.minusSeconds(2));

        HibernationRule.Decision callsLeft = HibernationRule.decide(new HibernationRule.Inputs(AFTER_60S, waking, List.of(waiting), 0,
                null, false, null, NOW));
        HibernationRule.Decision givenUp = HibernationRule.decide(new HibernationRule.Inputs(AFTER_60S, waking, List.of(), 0,
                null, false, null, NOW));

        assertThat(callsLeft.status().state()).isEqualTo(HibernationState.Waking);
        assertThat(givenUp.status().state()).isEqualTo(HibernationState.Hibernated);
        assertThat(givenUp.replicas()).isZero();
        assertThat(givenUp.event().reason()).isEqualTo("WakeTimedOut");
        assertThat(givenUp.event().warning()).isTrue();
    }

    @Test
    void aManualHibernateIsRefusedWhileTasksAreActiveAndRecordedSoItAsksOnce() {
        HibernationRule.Decision refused = HibernationRule.decide(awake(null, null, List.of(), 2, "tonight"));

        assertThat(refused.status().state()).isEqualTo(HibernationState.Awake);
        assertThat(refused.status().request()).isEqualTo("tonight");
        assertThat(refused.event().reason()).isEqualTo("HibernateRefused");
        assertThat(refused.event().message()).contains("the runtime reports 2 active task(s)").contains("'force'");

        HibernationRule.Inputs again = new HibernationRule.Inputs(null, refused.status(), List.of(), 0, NOW.minusSeconds(5), true, "tonight", NOW);
        assertThat(HibernationRule.decide(again).status().state()).as("the same value does not ask again once idle")
                .isEqualTo(HibernationState.Awake);
    }

    @Test
    void aForcedManualHibernateHibernatesWhileActive() {
        ActivityLease inFlight = lease(NOW.minusSeconds(60), NOW.minusSeconds(1));

        HibernationRule.Decision d = HibernationRule.decide(awake(null, null, List.of(inFlight), 1, "force-now"));

        assertThat(d.status().state()).isEqualTo(HibernationState.Hibernated);
        assertThat(d.status().request()).isEqualTo("force-now");
        assertThat(d.event().message()).contains("while calls are in flight on 1 proxy replica(s) and the runtime reports 1 active task(s)");
    }

    @Test
    void aManualHibernateOfAnIdleRuntimeHibernatesAtOnce() {
        HibernationRule.Decision d = HibernationRule.decide(awake(null, null, List.of(), 0, "now"));

        assertThat(d.status().state()).isEqualTo(HibernationState.Hibernated);
        assertThat(d.replicas()).isZero();
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("awakeInputs")
    void anAwakeRuntimeThatIsThinkingIsNeverHibernatedUnlessForced(HibernationRule.Inputs in, TestInfo test) {
        boolean thinking = in.runtimeActive() > 0 || in.leases().stream().anyMatch(l -> l.fresh(in.now()));
        boolean forcedNow = in.annotation() != null && in.annotation().startsWith(HibernationRule.FORCE)
                && !in.annotation().equals(in.current().request());
        HibernationRule.Decision d = HibernationRule.decide(in);
        if (thinking && !forcedNow) {
            assertThat(d.replicas()).as(test.getDisplayName()).isEqualTo(1);
            assertThat(d.status().state()).as(test.getDisplayName()).isEqualTo(HibernationState.Awake);
        }
        if (d.status().state() == HibernationState.Hibernated && in.annotation() == null) {
            Instant idleSince = in.current().idleSinceTime();
            assertThat(idleSince).as("%s: idle since some time", test.getDisplayName()).isNotNull();
            assertThat(Duration.between(idleSince, in.now())).as(test.getDisplayName())
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(in.spec().idleAfterSeconds()));
        }
    }

    @ParameterizedTest(name = CASE)
    @MethodSource("hibernatedInputs")
    void aHibernatedRuntimeWakesOnlyForACallThatCameAfterItFellAsleep(HibernationRule.Inputs in, TestInfo test) {
        Instant asleep = in.current().sinceTime();
        boolean called = in.leases().stream().anyMatch(l -> l.fresh(in.now()) && l.acquired().isAfter(asleep));
        HibernationRule.Decision d = HibernationRule.decide(in);
        assertThat(d.replicas()).as(test.getDisplayName()).isEqualTo(called ? 1 : 0);
        assertThat(d.status().state()).as(test.getDisplayName()).isEqualTo(called ? HibernationState.Waking : HibernationState.Hibernated);
    }

    static Stream<Arguments> awakeInputs() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<Arguments> cases = new ArrayList<>();
        for (int i = 0; i < RANDOM_CASES; i++) {
            HibernationSpec spec = new HibernationSpec(random.nextBoolean() ? null : 1 + random.nextInt(600), null);
            Instant idleSince = random.nextBoolean() ? null : NOW.minusSeconds(random.nextInt(1200));
            String recorded = random.nextBoolean() ? null : pick(random, "a", "force-a");
            HibernationStatus current = HibernationStatus.awake(NOW.minusSeconds(7200), idleSince).withRequest(recorded);
            String annotation = random.nextInt(3) == 0 ? pick(random, "a", "b", "force-a", "force-b") : null;
            cases.add(Arguments.of(new HibernationRule.Inputs(spec, current, leases(random), random.nextInt(3) == 0 ? random.nextInt(4) : 0,
                    NOW.minusSeconds(random.nextInt(30)), random.nextInt(5) > 0, annotation, NOW)));
        }
        return cases.stream();
    }

    static Stream<Arguments> hibernatedInputs() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        List<Arguments> cases = new ArrayList<>();
        for (int i = 0; i < RANDOM_CASES; i++) {
            HibernationStatus current = HibernationStatus.hibernated(NOW.minusSeconds(random.nextInt(600)));
            String annotation = random.nextInt(3) == 0 ? pick(random, "a", "force-a") : null;
            cases.add(Arguments.of(new HibernationRule.Inputs(new HibernationSpec(random.nextBoolean() ? null : 60, null), current,
                    leases(random), 0, null, false, annotation, NOW)));
        }
        return cases.stream();
    }

    /** Up to three Leases, each acquired and renewed at some time in the last twenty minutes: fresh, or run out. */
    static List<ActivityLease> leases(SplittableRandom random) {
        List<ActivityLease> leases = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            Instant renewed = NOW.minusSeconds(random.nextInt(1200));
            leases.add(lease(renewed.minusSeconds(random.nextInt(600)), renewed));
        }
        return leases;
    }

    static String pick(SplittableRandom random, String... values) {
        return values[random.nextInt(values.length)];
    }
}
