package dev.tether.hibernation;

import dev.tether.activity.ActivityLease;
import dev.tether.api.HibernationSpec;
import dev.tether.api.HibernationState;
import dev.tether.api.HibernationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * When a provisioned workspace's runtime sleeps and wakes, decided without I/O. Awake, it hibernates only when nothing
 * is in flight, queued or held on any proxy replica (no fresh activity Lease), its runtime reports no active task, and
 * both have been so for {@code spec.hibernation.idleAfterSeconds}; or at once when a new value of the
 * {@value #ANNOTATION} annotation asks (as {@code kubectl rollout restart} does, each value asks once and status records
 * the last one), refused while anything is active unless the value starts with {@value #FORCE}.
 * Hibernated, it wakes when a replica's activity began after it fell asleep. Waking, it is awake once a replica is
 * available and has heartbeated since the wake; if that takes longer than the wake timeout with no call left waiting,
 * it goes back to sleep.
 */
public final class HibernationRule {
    /** Ask for hibernation now: any new value; one starting with {@value #FORCE} hibernates even while tasks are active. */
    public static final String ANNOTATION = "tether.dev/hibernate";
    public static final String FORCE = "force";

    private HibernationRule() {
    }

    /**
     * What the rule looks at.
     *
     * @param spec              spec.hibernation, or null
     * @param current           status.hibernation, or null when never recorded
     * @param leases            the workspace's activity Leases, fresh or not
     * @param runtimeActive     tasks the runtime's last report says it runs, while that report counts (its heartbeat is fresh)
     * @param lastHeartbeat     status.lastHeartbeatTime, or null
     * @param runtimeAvailable  the Deployment has an available replica
     * @param annotation        the {@value #ANNOTATION} annotation's value, or null
     */
    public record Inputs(HibernationSpec spec, HibernationStatus current, List<ActivityLease> leases, int runtimeActive,
            Instant lastHeartbeat, boolean runtimeAvailable, String annotation, Instant now) {
    }

    /**
     * @param status          status.hibernation to write
     * @param replicas        the replicas the Deployment asks for
     * @param event           what changed, worth an Event, or null
     * @param recheckIn       when the rule may decide differently with no new event (an idle window or a Lease running out)
     */
    public record Decision(HibernationStatus status, int replicas, Change event, Optional<Duration> recheckIn) {
    }

    /** An Event's reason and message; {@code warning} for the Warning type. */
    public record Change(String reason, String message, boolean warning) {
    }

    public static Decision decide(Inputs in) {
        HibernationStatus current = in.current() == null || in.current().state() == null || in.current().sinceTime() == null
                ? HibernationStatus.awake(in.now(), null) : in.current();
        String recorded = in.current() == null ? null : in.current().request();
        String request = in.annotation() == null || in.annotation().equals(recorded) ? null : in.annotation();
        Decision d = switch (current.state()) {
            case Hibernated -> hibernated(in, current);
            case Waking -> waking(in, current);
            case Awake -> awake(in, current, request);
        };
        return new Decision(d.status().withRequest(request != null ? request : recorded), d.replicas(), d.event(), d.recheckIn());
    }

    private static Decision hibernated(Inputs in, HibernationStatus current) {
        Instant asleep = current.sinceTime();
        Optional<Instant> wanted = in.leases().stream().filter(l -> l.fresh(in.now()) && l.acquired().isAfter(asleep))
                .map(ActivityLease::acquired).min(Comparator.naturalOrder());
        if (wanted.isEmpty()) {
            return new Decision(current, 0, null, Optional.empty());
        }
        return new Decision(HibernationStatus.waking(in.now(), wanted.get()), 1, new Change("Waking", "a dispatch arrived at "
                + wanted.get() + "; scaling the runtime to 1 replica and holding calls until it is ready", false),
                Optional.of(Duration.ofSeconds(HibernationSpec.wakeTimeoutSeconds(in.spec()))));
    }

    private static Decision waking(Inputs in, HibernationStatus current) {
        Instant since = current.sinceTime();
        if (in.runtimeAvailable() && in.lastHeartbeat() != null && !in.lastHeartbeat().isBefore(since)) {
            Instant requested = current.wakeRequestedAt() == null ? since : current.wakeRequestedAt();
            Duration coldStart = Duration.between(requested, in.now());
            return new Decision(HibernationStatus.awake(in.now(), null), 1, new Change("Woken", "runtime ready and heartbeating "
                    + seconds(coldStart) + " after the dispatch that woke it (cold start)", false), Optional.empty());
        }
        Duration timeout = Duration.ofSeconds(HibernationSpec.wakeTimeoutSeconds(in.spec()));
        Instant givesUp = since.plus(timeout);
        boolean callsLeft = in.leases().stream().anyMatch(l -> l.fresh(in.now()));
        if (!in.now().isBefore(givesUp) && !callsLeft) {
            return new Decision(HibernationStatus.hibernated(in.now()), 0, new Change("WakeTimedOut", "the runtime did not become ready "
                    + "and heartbeat within spec.hibernation.wakeTimeoutSeconds (" + timeout.toSeconds() + "s); scaled back to zero. "
                    + "Waiting calls were answered 503; the next dispatch tries again", true), Optional.empty());
        }
        Duration recheck = in.now().isBefore(givesUp) ? Duration.between(in.now(), givesUp) : nextExpiry(in).orElse(timeout);
        return new Decision(current, 1, null, Optional.of(recheck));
    }

    private static Decision awake(Inputs in, HibernationStatus current, String request) {
        long inFlight = in.leases().stream().filter(l -> l.fresh(in.now())).count();
        boolean active = inFlight > 0 || in.runtimeActive() > 0;
        Change refused = null;
        if (request != null) {
            if (!active || request.startsWith(FORCE)) {
                return asleep(in, "hibernated on request (annotation " + ANNOTATION + "=" + request + ")"
                        + (active ? " while " + activity(inFlight, in.runtimeActive()) : ""));
            }
            refused = new Change("HibernateRefused", "not hibernated: " + activity(inFlight, in.runtimeActive())
                    + "; set " + ANNOTATION + " to a new value starting with '" + FORCE + "' to hibernate anyway", true);
        }
        Duration idleAfter = idleAfter(in);
        if (active || idleAfter == null || !in.runtimeAvailable()) {
            // No idle clock without an idle window (nothing to write while work comes and goes), nor while the runtime
            // is starting: a slow start is not idleness.
            HibernationStatus status = HibernationStatus.awake(current.sinceTime(), null);
            return new Decision(status, 1, refused, active ? nextExpiry(in) : Optional.empty());
        }
        Instant idleSince = current.idleSinceTime() == null ? in.now() : current.idleSinceTime();
        Instant due = idleSince.plus(idleAfter);
        if (!in.now().isBefore(due)) {
            return asleep(in, "idle for " + seconds(Duration.between(idleSince, in.now())) + " (spec.hibernation.idleAfterSeconds "
                    + idleAfter.toSeconds() + "s): no dispatch in flight, queued or held, and the runtime reports no active task");
        }
        return new Decision(HibernationStatus.awake(current.sinceTime(), idleSince), 1, refused, Optional.of(Duration.between(in.now(), due)));
    }

    private static Decision asleep(Inputs in, String why) {
        return new Decision(HibernationStatus.hibernated(in.now()), 0, new Change("Hibernated", why
                + "; scaled the runtime to zero, the next dispatch wakes it", false), Optional.empty());
    }

    private static String activity(long inFlight, int runtimeActive) {
        return inFlight > 0 && runtimeActive > 0 ? "calls are in flight on " + inFlight + " proxy replica(s) and the runtime reports "
                + runtimeActive + " active task(s)"
                : inFlight > 0 ? "calls are in flight on " + inFlight + " proxy replica(s)"
                : "the runtime reports " + runtimeActive + " active task(s)";
    }

    private static Duration idleAfter(Inputs in) {
        return in.spec() == null || in.spec().idleAfterSeconds() == null ? null : Duration.ofSeconds(in.spec().idleAfterSeconds());
    }

    /** When the next fresh Lease runs out unrenewed: a replica that died stops counting then. */
    private static Optional<Duration> nextExpiry(Inputs in) {
        return in.leases().stream().filter(l -> l.fresh(in.now())).map(ActivityLease::expires).min(Comparator.naturalOrder())
                .map(at -> Duration.between(in.now(), at));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
