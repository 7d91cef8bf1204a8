package dev.tether.reconciler;

import dev.tether.api.Condition;
import dev.tether.api.DispatchStatus;
import dev.tether.api.HibernationState;
import dev.tether.api.HibernationStatus;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.api.WorkspaceSpec;
import dev.tether.api.WorkspaceStatus;
import dev.tether.hibernation.HibernationRule;
import dev.tether.policy.DispatchPolicy;
import dev.tether.provisioning.ProvisioningReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The reconciler's decision for one Workspace, computed without I/O: its own status fields
 * (observedGeneration, phase, conditions, dispatch), the events worth recording, and when to look
 * again so a heartbeat going stale flips Live without any new event.
 */
public record StatusPlan(WorkspaceStatus status, List<WorkspaceEvent> events, Optional<Duration> recheckIn) {
    static final String STATUS_MGMT = "status_mgmt";
    /** The Ready reason, and the event, of a reconcile that failed. */
    static final String RECONCILE_FAILED = "ReconcileFailed";
    static final Set<String> PROVISIONING_PROBLEMS = Set.of(ProvisioningReport.INVALID_TEMPLATE, ProvisioningReport.NAME_TAKEN);
    static final double DEGRADE_AT_ERROR_RATE = 0.5;
    static final double RECOVER_BELOW_ERROR_RATE = 0.1;
    /** Wake a little after the stale moment, so the check lands on the far side of it. */
    static final Duration RECHECK_MARGIN = Duration.ofMillis(500);

    /**
     * @param tokenSha256  the hash of the workspace's token, null while its Secret does not exist yet
     * @param provisioning what provisioning found (external workspaces: {@link ProvisioningReport#EXTERNAL})
     * @param sleep        what hibernation decided; null when it does not apply (not provisioned, or suspended)
     */
    public static StatusPlan of(Workspace ws, String tokenSha256, ProvisioningReport provisioning, HibernationRule.Decision sleep,
            Instant now, ReconcilerSettings settings) {
        boolean tokenPresent = tokenSha256 != null;
        WorkspaceStatus current = ws.getStatus() == null ? new WorkspaceStatus() : ws.getStatus();
        RuntimeStatus runtime = current.getRuntime();
        long generation = ws.getMetadata().getGeneration() == null ? 0 : ws.getMetadata().getGeneration();
        List<Condition> before = current.getConditions();

        DispatchStatus dispatch = DispatchPolicy.resolve(ws.getSpec() == null ? null : ws.getSpec().getDispatch(),
                runtime == null ? null : runtime.idleTimeoutSeconds(), settings.policy());

        HibernationState sleepState = sleep == null ? null : sleep.status().state();
        Readiness readiness = readiness(ws, specProblem(ws), tokenPresent, provisioning, sleepState);
        Condition readyCondition = Conditions.next(before, Conditions.READY, readiness.ready(), readiness.reason(), readiness.message(),
                generation, now);

        Instant lastBeat = current.lastHeartbeat();
        Instant staleAt = lastBeat == null ? null : lastBeat.plus(settings.offlineAfter());
        boolean live = staleAt != null && now.isBefore(staleAt);
        Condition liveCondition = Conditions.next(before, Conditions.LIVE, live,
                lastBeat == null ? "NeverSeen" : live ? "HeartbeatFresh" : "HeartbeatStale",
                // Stable wording while fresh: a message that moved with every beat would force a write per beat.
                lastBeat == null ? "no heartbeat received yet"
                        : live ? "heartbeats arrive within the offline window of " + settings.offlineAfter().toSeconds() + "s"
                        : "no heartbeat since " + current.getLastHeartbeatTime() + " (offline after " + settings.offlineAfter().toSeconds() + "s)",
                generation, now);

        Degradation degradation = degradation(runtime, Conditions.isTrue(before, Conditions.DEGRADED));
        Condition degradedCondition = Conditions.next(before, Conditions.DEGRADED, degradation.degraded(),
                degradation.reason(), degradation.message(), generation, now);

        WorkspacePhase phase = sleepState == HibernationState.Hibernated ? WorkspacePhase.Hibernated
                : sleepState == HibernationState.Waking ? WorkspacePhase.Waking
                : lastBeat == null ? WorkspacePhase.Pending
                : !live ? WorkspacePhase.Offline
                : degradation.degraded() ? WorkspacePhase.Degraded
                : WorkspacePhase.Online;

        WorkspaceStatus own = new WorkspaceStatus();
        own.setObservedGeneration(generation);
        own.setPhase(phase);
        own.setConditions(List.of(readyCondition, liveCondition, degradedCondition));
        own.setDispatch(dispatch);
        own.setTokenSha256(tokenSha256);
        own.setProvisioning(provisioning.status());
        // A workspace that stops being provisioned has its record cleared (a merge patch of nulls); one never recorded gets none.
        own.setHibernation(sleep != null ? sleep.status()
                : current.getHibernation() != null && current.getHibernation().state() != null ? HibernationStatus.NONE : null);

        Optional<Duration> recheck = live ? Optional.of(Duration.between(now, staleAt).plus(RECHECK_MARGIN)) : Optional.empty();
        if (sleep != null && sleep.recheckIn().isPresent()) {
            Duration rule = sleep.recheckIn().get().plus(RECHECK_MARGIN);
            recheck = Optional.of(recheck.filter(r -> r.compareTo(rule) < 0).orElse(rule));
        }
        List<WorkspaceEvent> events = events(current, own);
        if (sleep != null && sleep.event() != null) {
            HibernationRule.Change change = sleep.event();
            events.add(change.warning() ? WorkspaceEvent.warning(change.reason(), change.message()) : WorkspaceEvent.normal(change.reason(), change.message()));
        }
        return new StatusPlan(own, events, recheck);
    }

    /**
     * The reconciler's status after a failed reconcile: the conditions only, {@code Ready} False with reason
     * {@value #RECONCILE_FAILED} and {@code cause} in its message, {@code Live} and {@code Degraded} as the status shows.
     */
    public static WorkspaceStatus failed(Workspace ws, String cause, Instant now, ReconcilerSettings settings) {
        WorkspaceStatus current = ws.getStatus() == null ? new WorkspaceStatus() : ws.getStatus();
        // Only the conditions are kept, and Ready is replaced: what provisioning found does not matter here.
        StatusPlan plan = of(ws, current.getTokenSha256(), ProvisioningReport.EXTERNAL, null, now, settings);
        Condition ready = Conditions.next(current.getConditions(), Conditions.READY, false, RECONCILE_FAILED,
                "reconcile failed, retrying: " + cause, plan.status().getObservedGeneration(), now);
        WorkspaceStatus own = new WorkspaceStatus();
        own.setConditions(plan.status().getConditions().stream().map(c -> Conditions.READY.equals(c.type()) ? ready : c).toList());
        return own;
    }

    /** True when the reconciler's own fields already hold these values, so no write is needed. */
    public boolean alreadyWritten(WorkspaceStatus current) {
        return current != null
                && Objects.equals(current.getObservedGeneration(), status.getObservedGeneration())
                && current.getPhase() == status.getPhase()
                && Objects.equals(current.getConditions(), status.getConditions())
                && Objects.equals(current.getDispatch(), status.getDispatch())
                && Objects.equals(current.getTokenSha256(), status.getTokenSha256())
                && Objects.equals(current.getProvisioning(), status.getProvisioning())
                && (status.getHibernation() == null || Objects.equals(current.getHibernation(), status.getHibernation()));
    }

    /** What the schema cannot express: cross-field rules. */
    static String specProblem(Workspace ws) {
        WorkspaceSpec spec = ws.getSpec();
        if (spec == null) {
            return null;
        }
        if (ws.getMetadata().getName().equals(spec.getParentRef())) {
            return "spec.parentRef names the workspace itself";
        }
        var d = spec.getDispatch();
        if (d != null && d.idleTimeoutSeconds() != null && d.maxIdleTimeoutSeconds() != null
                && d.idleTimeoutSeconds() > d.maxIdleTimeoutSeconds()) {
            return "spec.dispatch.idleTimeoutSeconds (" + d.idleTimeoutSeconds() + ") exceeds spec.dispatch.maxIdleTimeoutSeconds ("
                    + d.maxIdleTimeoutSeconds() + ")";
        }
        return null;
    }

    private record Readiness(boolean ready, String reason, String message) {
    }

    /** Ready: the spec is valid, the token exists and the agent can be reached (a provisioned one: its Deployment is available). */
    private static Readiness readiness(Workspace ws, String specProblem, boolean tokenPresent, ProvisioningReport provisioning,
            HibernationState sleep) {
        if (specProblem != null) {
            return new Readiness(false, "InvalidSpec", specProblem);
        }
        if (!tokenPresent) {
            return new Readiness(false, "TokenMissing", "the heartbeat token Secret " + TokenSecrets.name(ws) + " is being created (or repaired, when it lost its token)");
        }
        if (provisioning.problem() != null) {
            return new Readiness(false, provisioning.problem().reason(), provisioning.problem().message());
        }
        if (ws.suspended()) {
            return new Readiness(false, "Suspended", "spec.suspend is true: the runtime is scaled to zero and dispatches answer 503");
        }
        if (sleep == HibernationState.Hibernated) {
            return new Readiness(false, "Hibernated", "the runtime is scaled to zero while idle; the next dispatch wakes it and is held until it is ready");
        }
        if (sleep == HibernationState.Waking) {
            return new Readiness(false, "Waking", "the runtime is starting for a dispatch; calls are held until a replica is ready and has heartbeated");
        }
        if (provisioning.provisioned()) {
            return provisioning.available()
                    ? new Readiness(true, "RuntimeAvailable", "Deployment " + ws.getMetadata().getName() + " has an available replica")
                    : new Readiness(false, "RuntimeUnavailable", "Deployment " + ws.getMetadata().getName()
                            + " has no available replica yet; dispatches answer 503 until one is ready");
        }
        return ws.endpoint() != null
                ? new Readiness(true, "Configured", "spec is valid, the heartbeat token exists and the agent has an endpoint")
                : new Readiness(false, "NoEndpoint", "neither spec.url nor a registered URL is set; dispatch answers 503 until one is");
    }

    private record Degradation(boolean degraded, String reason, String message) {
    }

    /** Wedged always degrades; error-rate inference applies unless the runtime manages its own status, with hysteresis. */
    private static Degradation degradation(RuntimeStatus runtime, boolean wasDegraded) {
        if (runtime == null) {
            return new Degradation(false, "Healthy", "no runtime report yet");
        }
        if (runtime.wedged()) {
            return new Degradation(true, "RuntimeWedged", "the runtime reports it is alive but wedged");
        }
        boolean ownsStatus = runtime.capabilities() != null && Boolean.TRUE.equals(runtime.capabilities().get(STATUS_MGMT));
        double errorRate = runtime.errorRate() == null ? 0.0 : runtime.errorRate();
        if (!ownsStatus && errorRate >= DEGRADE_AT_ERROR_RATE) {
            return new Degradation(true, "HighErrorRate", "the runtime's error rate reached " + DEGRADE_AT_ERROR_RATE);
        }
        if (!ownsStatus && wasDegraded && errorRate >= RECOVER_BELOW_ERROR_RATE) {
            return new Degradation(true, "HighErrorRate", "the runtime's error rate reached " + DEGRADE_AT_ERROR_RATE
                    + " and has not yet fallen below " + RECOVER_BELOW_ERROR_RATE);
        }
        return new Degradation(false, "Healthy", ownsStatus ? "the runtime manages its own status and is not wedged"
                : "not wedged and the error rate is below " + DEGRADE_AT_ERROR_RATE);
    }

    private static List<WorkspaceEvent> events(WorkspaceStatus before, WorkspaceStatus after) {
        List<WorkspaceEvent> events = new ArrayList<>();
        DispatchStatus was = before.getDispatch();
        DispatchStatus now = after.getDispatch();
        if (was != null && (!Objects.equals(was.idleTimeoutSeconds(), now.idleTimeoutSeconds()) || was.source() != now.source())) {
            events.add(WorkspaceEvent.normal("DispatchPolicyChanged", "effective idle timeout " + was.idleTimeoutSeconds() + "s ("
                    + was.source() + ") -> " + now.idleTimeoutSeconds() + "s (" + now.source() + ")" + (Boolean.TRUE.equals(now.clamped()) ? ", clamped" : "")));
        }
        Condition wasReady = Conditions.find(before.getConditions(), Conditions.READY);
        Condition ready = Conditions.find(after.getConditions(), Conditions.READY);
        if (PROVISIONING_PROBLEMS.contains(ready.reason()) && (wasReady == null || !Objects.equals(wasReady.message(), ready.message()))) {
            events.add(WorkspaceEvent.warning(ready.reason(), ready.message()));
        }
        WorkspacePhase from = before.getPhase();
        WorkspacePhase to = after.getPhase();
        if (from != to) {
            if (to == WorkspacePhase.Offline) {
                events.add(WorkspaceEvent.warning("WentOffline", "no heartbeat within the offline window; "
                        + Conditions.find(after.getConditions(), Conditions.LIVE).message()));
            } else if (to == WorkspacePhase.Degraded) {
                events.add(WorkspaceEvent.warning("Degraded", Conditions.find(after.getConditions(), Conditions.DEGRADED).message()));
            } else if (to == WorkspacePhase.Online && (from == WorkspacePhase.Offline || from == WorkspacePhase.Degraded)) {
                events.add(WorkspaceEvent.normal("Recovered", "back Online from " + from));
            }
        }
        return events;
    }
}
