package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Workspace;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.MutableClock;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events as {@code kubectl describe ws} shows them: one object per distinct event, its count raised on repeats. */
class WorkspaceEventsOnMockApiTest {
    static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
    static final WorkspaceEvent FAILED = WorkspaceEvent.warning("ReconcileFailed", "the API server answered 403: forbidden");

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    final MutableClock clock = new MutableClock(START);
    final WorkspaceEvents events = new WorkspaceEvents(clock);
    Workspace ws;

    @BeforeEach
    void createWorkspace() {
        ws = new Workspaces(kube.client(), kube.namespace()).create("researcher");
    }

    List<Event> stored() {
        return kube.client().v1().events().inNamespace(kube.namespace()).list().getItems();
    }

    long eventWrites() {
        return kube.count(r -> !r.method().equals("GET") && r.path().contains("/events"));
    }

    @Test
    void theSameEventAgainIsTheSameObjectWithItsCountRaised() {
        events.record(kube.client(), ws, FAILED);
        clock.advance(WorkspaceEvents.REPEAT_INTERVAL);
        events.record(kube.client(), ws, FAILED);

        assertThat(stored()).singleElement().satisfies(e -> {
            assertThat(e.getMetadata().getName()).isEqualTo(WorkspaceEvents.name(ws, FAILED)).startsWith("researcher.");
            assertThat(e.getCount()).isEqualTo(2);
            assertThat(e.getFirstTimestamp()).isEqualTo("2026-03-02T09:00:00Z");
            assertThat(e.getLastTimestamp()).isEqualTo("2026-03-02T09:01:00Z");
            assertThat(e.getInvolvedObject().getUid()).isEqualTo(ws.getMetadata().getUid());
            assertThat(e.getReason()).isEqualTo("ReconcileFailed");
        });
    }

    @Test
    void repeatsWithinTheIntervalAreCountedWithoutWritingAndAddedWithTheNextWrite() {
        for (int i = 0; i < 50; i++) {
            events.record(kube.client(), ws, FAILED);
            clock.advance(Duration.ofMillis(500));
        }
        assertThat(eventWrites()).as("one write for 50 events within a minute").isEqualTo(1);
        assertThat(stored()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(1));

        clock.advance(WorkspaceEvents.REPEAT_INTERVAL);
        events.record(kube.client(), ws, FAILED);

        assertThat(eventWrites()).isEqualTo(2);
        assertThat(stored()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(51));
    }

    @Test
    void anotherMessageReasonOrWorkspaceIsAnotherEvent() {
        Workspace other = new Workspaces(kube.client(), kube.namespace()).create("writer");
        events.record(kube.client(), ws, FAILED);
        events.record(kube.client(), ws, WorkspaceEvent.warning("ReconcileFailed", "the API server answered 500"));
        events.record(kube.client(), ws, WorkspaceEvent.normal("Online", "the API server answered 403: forbidden"));
        events.record(kube.client(), other, FAILED);

        assertThat(stored()).hasSize(4).extracting(e -> e.getMetadata().getName()).doesNotHaveDuplicates();
    }

    @Test
    void aSecondReplicaRaisesTheCountOfTheEventTheFirstWrote() {
        events.record(kube.client(), ws, FAILED);
        new WorkspaceEvents(clock).record(kube.client(), ws, FAILED);

        assertThat(stored()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(2));
    }

    @Test
    void aWorkspaceWithTheLongestNameGetsAValidEventName() {
        Workspace longest = new Workspace();
        longest.setMetadata(new ObjectMetaBuilder().withName("a".repeat(235) + "-b" + "c".repeat(16)).withUid("u-1").build());

        assertThat(WorkspaceEvents.name(longest, FAILED)).hasSizeLessThanOrEqualTo(253)
                .matches("a{235}\\.[0-9a-f]{16}");
    }
}
