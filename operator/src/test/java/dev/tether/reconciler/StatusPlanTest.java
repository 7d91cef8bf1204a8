package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.api.Condition;
import dev.tether.api.DispatchSource;
import dev.tether.api.PodTemplate;
import dev.tether.api.ProvisioningMode;
import dev.tether.api.ProvisioningStatus;
import dev.tether.api.RegistrationStatus;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.api.WorkspaceSpec;
import dev.tether.api.WorkspaceStatus;
import dev.tether.policy.PolicySettings;
import dev.tether.provisioning.ProvisioningReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions, without an API server. */
class StatusPlanTest {
    static final ReconcilerSettings SETTINGS = new ReconcilerSettings(PolicySettings.DEFAULTS, Duration.ofSeconds(180));
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static final String HASH = TokenSecrets.sha256("token");

    static Workspace workspace(RuntimeStatus runtime, Instant lastBeat) {
        Workspace ws = new Workspace();
        ws.getMetadata().setName("researcher");
        ws.getMetadata().setNamespace("team-a");
        ws.getMetadata().setGeneration(3L);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl("http://agent:8000");
        WorkspaceStatus status = new WorkspaceStatus();
        status.setRuntime(runtime);
        status.setLastHeartbeatTime(lastBeat == null ? null : lastBeat.toString());
        ws.setStatus(status);
        return ws;
    }

    static RuntimeStatus runtime(String state, Double errorRate, Map<String, Boolean> capabilities, Integer idle) {
        return new RuntimeStatus(capabilities, idle, state, 0, null, errorRate, null, 0L, null, null);
    }

    static Condition condition(StatusPlan plan, String type) {
        return Conditions.find(plan.status().getConditions(), type);
    }

    /** Applies a plan's fields to the workspace, as the merge patch would. */
    static Workspace written(Workspace ws, StatusPlan plan) {
        ws.getStatus().setPhase(plan.status().getPhase());
        ws.getStatus().setConditions(plan.status().getConditions());
        ws.getStatus().setDispatch(plan.status().getDispatch());
        ws.getStatus().setObservedGeneration(plan.status().getObservedGeneration());
        ws.getStatus().setTokenSha256(plan.status().getTokenSha256());
        ws.getStatus().setProvisioning(plan.status().getProvisioning());
        return ws;
    }

    @Test
    void neverSeenIsPendingAndNotLiveWithNoWakeUp() {
        StatusPlan plan = StatusPlan.of(workspace(null, null), HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(plan.status().getPhase()).isEqualTo(WorkspacePhase.Pending);
        assertThat(condition(plan, "Live").reason()).isEqualTo("NeverSeen");
        assertThat(condition(plan, "Ready").status()).isEqualTo("True");
        assertThat(plan.status().getObservedGeneration()).isEqualTo(3L);
        assertThat(plan.recheckIn()).isEmpty();
    }

    @Test
    void freshHeartbeatIsOnlineAndWakesJustAfterItWouldGoStale() {
        StatusPlan plan = StatusPlan.of(workspace(runtime("", 0.0, null, 600), NOW.minusSeconds(60)), HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(plan.status().getPhase()).isEqualTo(WorkspacePhase.Online);
        assertThat(condition(plan, "Live").reason()).isEqualTo("HeartbeatFresh");
        assertThat(plan.status().getDispatch().source()).isEqualTo(DispatchSource.Runtime);
        assertThat(plan.recheckIn()).contains(Duration.ofSeconds(120).plus(StatusPlan.RECHECK_MARGIN));
    }

    @Test
    void staleHeartbeatIsOffline() {
        StatusPlan plan = StatusPlan.of(workspace(runtime("", 0.0, null, null), NOW.minusSeconds(181)), HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(plan.status().getPhase()).isEqualTo(WorkspacePhase.Offline);
        assertThat(condition(plan, "Live").reason()).isEqualTo("HeartbeatStale");
        assertThat(plan.recheckIn()).isEmpty();
    }

    @Test
    void wedgedRuntimeIsDegradedEvenWhenItManagesItsOwnStatus() {
        StatusPlan plan = StatusPlan.of(workspace(runtime("wedged", 0.0, Map.of("status_mgmt", true), null), NOW), HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(plan.status().getPhase()).isEqualTo(WorkspacePhase.Degraded);
        assertThat(condition(plan, "Degraded").reason()).isEqualTo("RuntimeWedged");
    }

    @Test
    void errorRateDegradesAtHalfAndRecoversOnlyBelowATenth() {
        Workspace ws = workspace(runtime("", 0.5, null, null), NOW);
        StatusPlan degraded = StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(degraded.status().getPhase()).isEqualTo(WorkspacePhase.Degraded);

        ws = written(ws, degraded);
        ws.getStatus().setRuntime(runtime("", 0.3, null, null));
        assertThat(StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS).status().getPhase()).as("0.3 is not yet recovered").isEqualTo(WorkspacePhase.Degraded);

        ws.getStatus().setRuntime(runtime("", 0.09, null, null));
        StatusPlan recovered = StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(recovered.status().getPhase()).isEqualTo(WorkspacePhase.Online);
        assertThat(recovered.events()).extracting(WorkspaceEvent::reason).containsExactly("Recovered");
    }

    @Test
    void errorRateIsIgnoredWhenTheRuntimeManagesItsOwnStatus() {
        StatusPlan plan = StatusPlan.of(workspace(runtime("", 0.9, Map.of("status_mgmt", true), null), NOW), HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        assertThat(plan.status().getPhase()).isEqualTo(WorkspacePhase.Online);
    }

    @Test
    void lastTransitionTimeMovesOnlyWhenTheConditionStatusChanges() {
        Workspace ws = workspace(runtime("", 0.0, null, 600), NOW.minusSeconds(10));
        StatusPlan first = StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS);
        ws = written(ws, first);

        Instant later = NOW.plusSeconds(30);
        ws.getStatus().setRuntime(runtime("", 0.0, null, 900));
        ws.getStatus().setLastHeartbeatTime(later.toString());
        StatusPlan second = StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, later, SETTINGS);
        assertThat(condition(second, "Live").lastTransitionTime()).isEqualTo(condition(first, "Live").lastTransitionTime());
        assertThat(condition(second, "Ready").lastTransitionTime()).isEqualTo(NOW.toString());

        ws = written(ws, second);
        ws.getStatus().setRuntime(runtime("wedged", 0.0, null, 900));
        StatusPlan third = StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, later.plusSeconds(5), SETTINGS);
        assertThat(condition(third, "Degraded").lastTransitionTime()).isEqualTo(later.plusSeconds(5).toString());
    }

    @Test
    void conditionTimesAreRfc3339InWholeSeconds() {
        Instant withNanos = Instant.parse("2026-11-24T10:00:00.123456789Z");

        StatusPlan plan = StatusPlan.of(workspace(runtime("", 0.0, null, 600), withNanos), HASH, ProvisioningReport.EXTERNAL, null, withNanos, SETTINGS);

        assertThat(plan.status().getConditions()).extracting(c -> c.lastTransitionTime()).containsOnly("2026-11-24T10:00:00Z");
    }

    @Test
    void aNewHeartbeatAloneNeedsNoReconcilerWrite() {
        Workspace ws = workspace(runtime("", 0.0, null, 600), NOW.minusSeconds(10));
        ws = written(ws, StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS));
        ws.getStatus().setLastHeartbeatTime(NOW.plusSeconds(50).toString());
        assertThat(StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW.plusSeconds(55), SETTINGS).alreadyWritten(ws.getStatus())).isTrue();
    }

    @Test
    void policyChangeIsAnEventNamingOldAndNew() {
        Workspace ws = workspace(runtime("", 0.0, null, null), NOW);
        ws = written(ws, StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS));
        ws.getStatus().setRuntime(runtime("", 0.0, null, 600));
        assertThat(StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS).events())
                .containsExactly(new WorkspaceEvent("Normal", "DispatchPolicyChanged", "effective idle timeout 300s (Default) -> 600s (Runtime)"));
    }

    @Test
    void notReadyExplainsWhy() {
        Workspace ws = workspace(null, null);
        assertThat(condition(StatusPlan.of(ws, null, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS), "Ready").reason()).isEqualTo("TokenMissing");
        ws.getSpec().setUrl(null);
        assertThat(condition(StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS), "Ready").reason()).isEqualTo("NoEndpoint");
        ws.getSpec().setParentRef("researcher");
        Condition invalid = condition(StatusPlan.of(ws, HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS), "Ready");
        assertThat(invalid.reason()).isEqualTo("InvalidSpec");
        assertThat(invalid.message()).contains("spec.parentRef");
    }

    @Test
    void provisionedWorkspaceIsReadyOnlyWhileItsDeploymentHasAnAvailableReplica() {
        Workspace ws = workspace(null, null);
        ws.getSpec().setUrl(null);
        ws.getSpec().setTemplate(new PodTemplate(null, JsonNodeFactory.instance.objectNode()));
        ws.getStatus().setRegistration(new RegistrationStatus("http://pod-0:8000/a2a", null, null));
        ProvisioningStatus starting = new ProvisioningStatus(ProvisioningMode.Provisioned, "agent:1", 1, 0);

        StatusPlan unavailable = StatusPlan.of(ws, HASH, new ProvisioningReport(starting, null, false), null, NOW, SETTINGS);
        assertThat(condition(unavailable, "Ready").status()).as("a registered pod URL does not make it ready").isEqualTo("False");
        assertThat(condition(unavailable, "Ready").reason()).isEqualTo("RuntimeUnavailable");
        assertThat(unavailable.status().getProvisioning()).isEqualTo(starting);

        ProvisioningStatus running = new ProvisioningStatus(ProvisioningMode.Provisioned, "agent:1", 1, 1);
        assertThat(condition(StatusPlan.of(ws, HASH, new ProvisioningReport(running, null, true), null, NOW, SETTINGS), "Ready").reason())
                .isEqualTo("RuntimeAvailable");

        StatusPlan refused = StatusPlan.of(ws, HASH, new ProvisioningReport(running, new ProvisioningReport.Problem("InvalidTemplate", "spec.template.spec.containers[0].image: Required value"),
                true), null, NOW, SETTINGS);
        assertThat(refused.events()).containsExactly(WorkspaceEvent.warning("InvalidTemplate", "spec.template.spec.containers[0].image: Required value"));
        assertThat(StatusPlan.of(written(ws, refused), HASH, new ProvisioningReport(running, new ProvisioningReport.Problem("InvalidTemplate", "spec.template.spec.containers[0].image: Required value"),
                true), null, NOW, SETTINGS).events()).as("said once, not on every reconcile").isEmpty();
        Condition invalid = condition(refused, "Ready");
        assertThat(invalid.status()).isEqualTo("False");
        assertThat(invalid.reason()).isEqualTo("InvalidTemplate");
        assertThat(invalid.message()).isEqualTo("spec.template.spec.containers[0].image: Required value");

        ws.getSpec().setSuspend(true);
        assertThat(condition(StatusPlan.of(ws, HASH, new ProvisioningReport(running, null, true), null, NOW, SETTINGS), "Ready").reason())
                .isEqualTo("Suspended");
    }

    @Test
    void externalWorkspaceSaysSoInStatus() {
        assertThat(StatusPlan.of(workspace(null, null), HASH, ProvisioningReport.EXTERNAL, null, NOW, SETTINGS).status().getProvisioning().mode())
                .isEqualTo(ProvisioningMode.External);
    }
}
