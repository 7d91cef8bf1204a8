package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.Condition;
import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.DispatchStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.operator.OperatorSettings;
import dev.tether.operator.ReconcilerRuntime;
import dev.tether.policy.PolicySettings;
import dev.tether.testing.KubeTier;
import dev.tether.testing.TierContract;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's lifecycle as a user sees it through the API. Runs against the mock API
 * ({@link ReconcilerOnMockApiTest}) and a real kube-apiserver ({@link ReconcilerOnRealApiTest}).
 */
abstract class ReconcilerLifecycleContract extends TierContract {
    static final Duration OFFLINE_AFTER = Duration.ofSeconds(3);
    static final Duration WAIT = Duration.ofSeconds(20);

    ReconcilerRuntime runtime;
    Workspaces workspaces;

    @BeforeEach
    void startReconciler() {
        workspaces = new Workspaces(client(), namespace());
        OperatorSettings settings = new OperatorSettings(0, List.of(namespace()), "default",
                new ReconcilerSettings(PolicySettings.DEFAULTS, OFFLINE_AFTER), Duration.ofSeconds(1), false, null, "default");
        runtime = ReconcilerRuntime.start(client(), settings, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    @AfterEach
    void stopReconciler() {
        runtime.close();
    }

    DispatchStatus dispatch(String name) {
        Workspace ws = workspaces.get(name);
        return ws.getStatus() == null ? null : ws.getStatus().getDispatch();
    }

    Secret tokenSecret(String name) {
        return client().secrets().inNamespace(namespace()).withName(TokenSecrets.name(name)).get();
    }

    List<String> eventReasons(String name) {
        return client().v1().events().inNamespace(namespace()).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .map(Event::getReason).toList();
    }

    /** The workspace's Ready condition; an assertion error (which awaits retry) while there is none yet. */
    Condition readyCondition(String name) {
        Workspace ws = workspaces.get(name);
        assertThat(ws.getStatus()).as("status of %s", name).isNotNull();
        Condition ready = Conditions.find(ws.getStatus().getConditions(), Conditions.READY);
        assertThat(ready).as("Ready condition of %s", name).isNotNull();
        return ready;
    }

    void heartbeat(String name, String runtimeJson) {
        workspaces.patchStatus(name, "{\"lastHeartbeatTime\": \"" + Instant.now() + "\", \"runtime\": " + runtimeJson + "}");
    }

    @Test
    void newWorkspaceGetsATokenSecretAndTheDefaultPolicy() {
        Workspace created = workspaces.create("researcher");

        await().atMost(WAIT).untilAsserted(() -> assertThat(dispatch("researcher"))
                .isEqualTo(new DispatchStatus(300, DispatchSource.Default, false, 1800)));
        Workspace ws = workspaces.get("researcher");
        assertThat(ws.getStatus().getPhase()).isEqualTo(WorkspacePhase.Pending);
        assertThat(ws.getStatus().getObservedGeneration()).isEqualTo(ws.getMetadata().getGeneration());

        Secret secret = tokenSecret("researcher");
        assertThat(TokenSecrets.token(secret)).hasSizeGreaterThanOrEqualTo(43).matches("[A-Za-z0-9_-]+");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
        assertThat(secret.getMetadata().getLabels()).containsEntry(TokenSecrets.WORKSPACE_LABEL, "researcher");
        assertThat(ws.getStatus().getTokenSha256()).as("status publishes the token's hash, never the token")
                .isEqualTo(TokenSecrets.sha256(TokenSecrets.token(secret)))
                .doesNotContain(TokenSecrets.token(secret));
    }

    @Test
    void runtimeDeclarationBecomesTheEffectiveWindowAndSpecOverrideBeatsIt() {
        workspaces.create("researcher");
        heartbeat("researcher", "{\"idleTimeoutSeconds\": 600}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(dispatch("researcher"))
                .isEqualTo(new DispatchStatus(600, DispatchSource.Runtime, false, 1800)));
        assertThat(workspaces.get("researcher").getStatus().getPhase()).isEqualTo(WorkspacePhase.Online);

        workspaces.editSpec("researcher", s -> s.setDispatch(new DispatchSpec(120, null, 900, null)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(dispatch("researcher"))
                .isEqualTo(new DispatchStatus(120, DispatchSource.Spec, false, 900)));
        Workspace ws = workspaces.get("researcher");
        assertThat(ws.getStatus().getObservedGeneration()).isEqualTo(ws.getMetadata().getGeneration());
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("researcher")).contains("DispatchPolicyChanged"));
    }

    @Test
    void declarationAboveTheAdminMaximumIsClamped() {
        workspaces.create("researcher", s -> s.setDispatch(new DispatchSpec(null, 900, null, null)));
        heartbeat("researcher", "{\"idleTimeoutSeconds\": 3600}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(dispatch("researcher"))
                .isEqualTo(new DispatchStatus(900, DispatchSource.Runtime, true, 1800)));
    }

    @Test
    void staleHeartbeatGoesOfflineWithoutAnyFurtherChange() {
        workspaces.create("researcher");
        heartbeat("researcher", "{\"state\": null}");
        await().atMost(WAIT).until(() -> workspaces.get("researcher").getStatus().getPhase() == WorkspacePhase.Online);

        // Nothing is written from here on: only the reconciler's own wake-up can notice the silence.
        await().atMost(WAIT).until(() -> workspaces.get("researcher").getStatus().getPhase() == WorkspacePhase.Offline);
        assertThat(Conditions.find(workspaces.get("researcher").getStatus().getConditions(), "Live").reason())
                .isEqualTo("HeartbeatStale");
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("researcher")).contains("WentOffline"));
    }

    @Test
    void wedgedRuntimeIsDegradedAndRecovers() {
        workspaces.create("researcher");
        heartbeat("researcher", "{\"state\": \"wedged\"}");
        await().atMost(WAIT).until(() -> workspaces.get("researcher").getStatus().getPhase() == WorkspacePhase.Degraded);
        assertThat(Conditions.isTrue(workspaces.get("researcher").getStatus().getConditions(), "Degraded")).isTrue();

        heartbeat("researcher", "{\"state\": null}");
        await().atMost(WAIT).until(() -> workspaces.get("researcher").getStatus().getPhase() == WorkspacePhase.Online);
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("researcher")).contains("Degraded", "Recovered"));
    }

    @Test
    void deletedTokenSecretIsRecreated() {
        workspaces.create("researcher");
        await().atMost(WAIT).until(() -> tokenSecret("researcher") != null);
        String before = TokenSecrets.token(tokenSecret("researcher"));

        client().secrets().inNamespace(namespace()).withName(TokenSecrets.name("researcher")).delete();

        await().atMost(WAIT).untilAsserted(() -> {
            Secret again = tokenSecret("researcher");
            assertThat(again).isNotNull();
            assertThat(again.getMetadata().getDeletionTimestamp()).isNull();
            assertThat(TokenSecrets.token(again)).isNotEqualTo(before);
            assertThat(workspaces.get("researcher").getStatus().getTokenSha256()).isEqualTo(TokenSecrets.sha256(TokenSecrets.token(again)));
        });
    }

    /**
     * Breaks a workspace's token Secret with a merge patch of its data, as a careless {@code kubectl edit} would, and
     * awaits the repair: a fresh token in the same Secret, its hash published, the workspace Ready again.
     */
    void breakTokenSecretAndAwaitItsRepair(String dataPatch) {
        workspaces.create("researcher");
        await().atMost(WAIT).until(() -> workspaces.get("researcher").getStatus() != null
                && workspaces.get("researcher").getStatus().getTokenSha256() != null);
        String before = TokenSecrets.token(tokenSecret("researcher"));

        client().secrets().inNamespace(namespace()).withName(TokenSecrets.name("researcher"))
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\": " + dataPatch + "}");

        await().atMost(WAIT).untilAsserted(() -> {
            String token = TokenSecrets.token(tokenSecret("researcher"));
            assertThat(token).as("a usable token is back in the Secret").isNotNull().isNotEqualTo(before).matches("[A-Za-z0-9_-]{43}");
            Workspace ws = workspaces.get("researcher");
            assertThat(ws.getStatus().getTokenSha256()).isEqualTo(TokenSecrets.sha256(token));
            assertThat(Conditions.find(ws.getStatus().getConditions(), Conditions.READY).status()).isEqualTo(Conditions.TRUE);
        });
        assertThat(tokenSecret("researcher").getData()).as("other keys are left alone").containsKey("note");
        assertThat(tokenSecret("researcher").getMetadata().getOwnerReferences()).as("the same Secret, repaired in place").hasSize(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("researcher")).contains("TokenRepaired"));
    }

    @Test
    void aTokenSecretThatLostItsTokenGetsANewOne() {
        breakTokenSecretAndAwaitItsRepair("{\"token\": null, \"note\": \"a2VwdA==\"}");
    }

    @Test
    void aFailingReconcileSaysWhyInReadyAndRecoversOnceTheCauseIsGone() {
        // Someone else's Secret under the token Secret's name: no token can be issued while it is there.
        String theirs = Base64.getEncoder().encodeToString("someone-elses-password".getBytes(StandardCharsets.UTF_8));
        client().resource(new SecretBuilder().withNewMetadata().withName(TokenSecrets.name("researcher")).withNamespace(namespace())
                .endMetadata().withData(Map.of("token", theirs)).build()).create();
        workspaces.create("researcher");

        await().atMost(WAIT).untilAsserted(() -> {
            Condition ready = readyCondition("researcher");
            assertThat(ready.status()).isEqualTo(Conditions.FALSE);
            assertThat(ready.reason()).isEqualTo("ReconcileFailed");
            assertThat(ready.message()).contains("Secret researcher-tether-token already exists and is not this Workspace's")
                    .doesNotContain("someone-elses-password").doesNotContain(theirs);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("researcher")).contains("ReconcileFailed"));

        client().secrets().inNamespace(namespace()).withName(TokenSecrets.name("researcher")).delete();

        await().atMost(WAIT).untilAsserted(() -> {
            Condition ready = readyCondition("researcher");
            assertThat(ready.status()).isEqualTo(Conditions.TRUE);
            assertThat(ready.reason()).isEqualTo("Configured");
            assertThat(workspaces.get("researcher").getStatus().getTokenSha256()).isEqualTo(TokenSecrets.sha256(TokenSecrets.token(tokenSecret("researcher"))));
        });
    }

    @Test
    void reconcilerKeepsTheHeartbeatsFieldsAndTheHeartbeatKeepsTheReconcilers() {
        workspaces.create("researcher");
        await().atMost(WAIT).until(() -> dispatch("researcher") != null);
        for (int beat = 1; beat <= 40; beat++) {
            // Each beat changes the declaration, so the reconciler writes while the "heartbeat" keeps writing.
            heartbeat("researcher", "{\"activeTasks\": " + beat + ", \"idleTimeoutSeconds\": " + (100 + beat) + "}");
            Workspace seen = workspaces.get("researcher");
            assertThat(seen.getStatus().getRuntime().activeTasks()).as("heartbeat field after beat %d", beat).isEqualTo(beat);
            assertThat(seen.getStatus().getDispatch()).as("reconciler field after beat %d", beat).isNotNull();
            assertThat(seen.getStatus().getConditions()).as("conditions after beat %d", beat).hasSize(3);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(dispatch("researcher").idleTimeoutSeconds()).isEqualTo(140));
        assertThat(workspaces.get("researcher").getStatus().getRuntime().activeTasks()).isEqualTo(40);
        assertThat(workspaces.get("researcher").getStatus().getLastHeartbeatTime()).isNotNull();
    }
}
