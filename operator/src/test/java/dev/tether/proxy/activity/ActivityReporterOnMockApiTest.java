package dev.tether.proxy.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.activity.ActivityLease;
import dev.tether.api.HibernationSpec;
import dev.tether.api.PodTemplate;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceSpec;
import dev.tether.testing.MockKubeApi;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica's activity Lease for a workspace, as the operator sees it: it exists from the first call, is renewed while
 * calls go on (so a dispatch longer than the Lease's duration keeps it fresh), goes a grace after the last call, is
 * acquired anew when a call must wake the workspace, and is never written for a workspace Tether does not run.
 * Renewal runs every second here (every 30 s in production) so several fit in a test.
 */
class ActivityReporterOnMockApiTest {
    static final String ACTIVITY = "tether-system";
    static final Duration RENEW = Duration.ofSeconds(1);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ActivityReporter reporter;
    final WorkspaceId id = new WorkspaceId("team-a", "researcher");

    @BeforeEach
    void start() {
        reporter = new ActivityReporter(kube.client(), ACTIVITY, "replica-1", RENEW, registry, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        reporter.close();
    }

    static Workspace provisioned(Integer idleAfterSeconds) throws Exception {
        Workspace ws = new Workspace();
        ws.getMetadata().setNamespace("team-a");
        ws.getMetadata().setName("researcher");
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setTemplate(new PodTemplate(null, new ObjectMapper().readTree("{\"containers\": [{\"name\": \"a\", \"image\": \"a:1\"}]}")));
        ws.getSpec().setHibernation(new HibernationSpec(idleAfterSeconds, null));
        return ws;
    }

    List<ActivityLease> leases() {
        return kube.client().leases().inNamespace(ACTIVITY).withLabel(ActivityLease.LABEL, ActivityLease.LABEL_VALUE).list().getItems().stream()
                .map(ActivityLease::of).flatMap(Optional::stream).toList();
    }

    @Test
    void aLongCallKeepsItsLeaseFreshAndItGoesAGraceAfterTheLastCallEnds() throws Exception {
        Workspace ws = provisioned(4);
        ActivityReporter.Call first = reporter.begin(id, ws);
        ActivityReporter.Call second = reporter.begin(id, ws);

        await().atMost(Duration.ofSeconds(10)).until(() -> leases().size() == 1);
        ActivityLease created = leases().getFirst();
        assertThat(created.workspace()).isEqualTo(id);
        assertThat(created.holder()).isEqualTo("replica-1");
        assertThat(created.duration()).isEqualTo(RENEW.multipliedBy(3));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(leases().getFirst().renewed())
                .as("renewed while the calls go on, past the duration it was created with")
                .isAfter(created.renewed().plus(created.duration())));
        assertThat(leases().getFirst().acquired()).as("one run of calls, one acquisition").isEqualTo(created.acquired());

        first.end();
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> leases().size() == 1);
        second.end();
        Instant ended = Instant.now();
        await().atMost(Duration.ofSeconds(10)).until(() -> leases().isEmpty());
        assertThat(Duration.between(ended, Instant.now())).as("a grace of a quarter of the 4 s idle window").isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(registry.counter("tether.proxy.activity.lease.writes", "op", "create").count()).isEqualTo(1);
        assertThat(registry.counter("tether.proxy.activity.lease.writes", "op", "delete").count()).isEqualTo(1);
    }

    @Test
    void aCallThatFollowsWithinTheGraceWritesNothingNew() throws Exception {
        Workspace ws = provisioned(40);
        reporter.begin(id, ws).end();
        await().atMost(Duration.ofSeconds(10)).until(() -> leases().size() == 1);

        reporter.begin(id, ws).end();

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> leases().size() == 1);
        assertThat(registry.counter("tether.proxy.activity.lease.writes", "op", "create").count()).isEqualTo(1);
    }

    @Test
    void callsBeginningAndEndingOnManyThreadsAtOnceLeaveTheLeaseHeldWhileAnyRunsAndGoneAfter() throws Exception {
        Workspace ws = provisioned(4);
        ActivityReporter.Call longCall = reporter.begin(id, ws);
        try (ExecutorService loops = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                loops.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        reporter.begin(id, ws).end();
                    }
                });
            }
        }
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> leases().size() == 1);

        longCall.end();

        await().atMost(Duration.ofSeconds(10)).until(() -> leases().isEmpty());
        assertThat(registry.counter("tether.proxy.activity.lease.writes", "op", "create").count())
                .as("16,000 short calls inside one long one: one run, one Lease").isEqualTo(1);
    }

    @Test
    void aCallHeldForAWakeAcquiresTheLeaseAnewWhenItsRunBeganBeforeTheWorkspaceFellAsleep() throws Exception {
        reporter.begin(id, provisioned(null));
        await().atMost(Duration.ofSeconds(10)).until(() -> leases().size() == 1);
        Instant before = leases().getFirst().acquired();
        Instant asleep = Instant.now();

        reporter.wakeWanted(id, asleep);

        await().atMost(Duration.ofSeconds(10)).until(() -> leases().getFirst().acquired().isAfter(asleep));
        assertThat(before).isBeforeOrEqualTo(asleep);
    }

    @Test
    void aWorkspaceTetherDoesNotRunGetsNoLease() {
        Workspace external = new Workspace();
        external.getMetadata().setNamespace("team-a");
        external.getMetadata().setName("researcher");
        external.setSpec(new WorkspaceSpec());

        assertThat(reporter.begin(id, external)).isSameAs(ActivityReporter.Call.NONE);
    }

    @Test
    void aReplicaThatStopsDeletesItsLeases() throws Exception {
        reporter.begin(id, provisioned(null));
        await().atMost(Duration.ofSeconds(10)).until(() -> leases().size() == 1);

        reporter.close();

        List<Lease> left = kube.client().leases().inNamespace(ACTIVITY).list().getItems();
        assertThat(left).isEmpty();
    }
}
