package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.policy.PolicySettings;
import dev.tether.provisioning.ProvisioningSettings;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.MutableClock;
import dev.tether.testing.Workspaces;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reconciles the tests run themselves, one call at a time, as JOSDK runs them after each event (every
 * heartbeat is one): a reconcile that finds the reconciler's own status fields already true writes
 * nothing to the API. Without an operator running, every request the mock API records is this
 * reconciler's, so the writes are counted exactly.
 */
class WorkspaceReconcilerOnMockApiTest {
    static final Duration OFFLINE_AFTER = Duration.ofMinutes(3);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
    final WorkspaceReconciler reconciler = new WorkspaceReconciler(new ReconcilerSettings(PolicySettings.DEFAULTS, OFFLINE_AFTER),
            new ProvisioningSettings("default", null, "default"), clock);
    Workspaces workspaces;

    @BeforeEach
    void start() {
        workspaces = new Workspaces(kube.client(), kube.namespace());
    }

    /** Reconciles the Workspace as the API holds it now and returns the writes (anything but GET) that reconcile made. */
    List<MockKubeApi.Request> reconcile(String name) {
        Workspace ws = workspaces.get(name);
        int before = kube.requests().size();
        reconciler.reconcile(ws, new FakeContext(kube.client(), ws));
        List<MockKubeApi.Request> all = kube.requests();
        return all.subList(before, all.size()).stream().filter(r -> !r.method().equals("GET")).toList();
    }

    static long statusPatches(List<MockKubeApi.Request> writes) {
        return writes.stream().filter(r -> r.method().equals("PATCH") && r.path().endsWith("/status")).count();
    }

    /** A heartbeat as the registry records it, at the test clock's time. */
    void heartbeat(String name, String runtimeJson) {
        workspaces.patchStatus(name, "{\"lastHeartbeatTime\": \"" + clock.instant() + "\", \"runtime\": " + runtimeJson + "}");
    }

    @Test
    void quietWorkspaceIsWrittenOnceAndNotAgainOnLaterReconciles() {
        workspaces.create("researcher");

        List<MockKubeApi.Request> first = reconcile("researcher");
        assertThat(statusPatches(first)).as("the first reconcile writes status").isEqualTo(1);
        assertThat(workspaces.get("researcher").getStatus().getDispatch())
                .isEqualTo(new DispatchStatus(300, DispatchSource.Default, false, 1800));

        for (int i = 1; i <= 5; i++) {
            clock.advance(Duration.ofMinutes(7));
            assertThat(reconcile("researcher")).as("writes of reconcile %d of an unchanged Workspace", i).isEmpty();
        }
    }

    @Test
    void heartbeatsThatChangeNothingTheReconcilerOwnsCauseNoWrites() {
        workspaces.create("researcher");
        reconcile("researcher");
        heartbeat("researcher", "{\"idleTimeoutSeconds\": 600, \"activeTasks\": 0}");
        assertThat(statusPatches(reconcile("researcher"))).as("the declaration becomes status.dispatch").isEqualTo(1);
        assertThat(workspaces.get("researcher").getStatus().getPhase()).isEqualTo(WorkspacePhase.Online);

        // Beats well inside the offline window, each with news only for the heartbeat's own fields.
        for (int beat = 1; beat <= 10; beat++) {
            clock.advance(Duration.ofSeconds(15));
            heartbeat("researcher", "{\"idleTimeoutSeconds\": 600, \"activeTasks\": " + beat + "}");
            assertThat(reconcile("researcher")).as("writes of the reconcile after beat %d", beat).isEmpty();
        }

        heartbeat("researcher", "{\"idleTimeoutSeconds\": 900, \"activeTasks\": 10}");
        assertThat(statusPatches(reconcile("researcher"))).as("a changed declaration is written again").isEqualTo(1);
        assertThat(workspaces.get("researcher").getStatus().getDispatch())
                .isEqualTo(new DispatchStatus(900, DispatchSource.Runtime, false, 1800));
    }
}
