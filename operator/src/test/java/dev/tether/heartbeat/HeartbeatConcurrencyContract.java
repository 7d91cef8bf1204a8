package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.DispatchStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceStatus;
import dev.tether.policy.PolicySettings;
import dev.tether.testing.KubeTier;
import dev.tether.testing.TierContract;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One workspace under fire: 8 runtimes' worth of parallel heartbeats (8 threads x 50) with changing
 * declarations, while the reconciler reacts to every write and an admin edits the spec with merge
 * patches. Runtimes never see a conflict or a server error, and at the end nothing is lost: status
 * holds the last declaration, the reconciler's dispatch agrees with it, and the spec holds the last
 * edit. Runs on the mock API ({@link HeartbeatConcurrencyOnMockApiTest}) and a real kube-apiserver
 * ({@link HeartbeatConcurrencyOnRealApiTest}).
 */
abstract class HeartbeatConcurrencyContract extends TierContract {
    static final int THREADS = 8;
    static final int BEATS = 50;
    static final int SPEC_EDITS = 20;

    RegistryFixture registry;
    String token;

    @BeforeEach
    void start() {
        registry = new RegistryFixture(client(), namespace(), Clock.systemUTC(), PolicySettings.DEFAULTS);
        token = registry.workspaceWithToken("busy");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    String beat(int idleSeconds, int activeTasks) {
        return registry.beat("busy", "\"active_tasks\": " + activeTasks + ", \"current_task\": \"task-" + activeTasks
                + "\", \"runtime_metadata\": {\"capabilities\": {\"session\": true}, \"idle_timeout_seconds\": " + idleSeconds + "}");
    }

    @Test
    void parallelBeatsReconcilesAndSpecEditsLoseNothingAndNeverSurfaceAConflict() throws Exception {
        Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1)) {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < BEATS; i++) {
                        // A few distinct declarations, so the final one has also been sent, and overwritten, in the storm.
                        int status = registry.runtime.heartbeat(token, beat(i % 2 == 0 ? 600 : 900, (thread + i) % 4)).status();
                        answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            work.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < SPEC_EDITS; i++) {
                    int edit = i;
                    registry.workspaces.editSpec("busy", spec -> {
                        spec.setRuntime("edit-" + edit);
                        spec.setDispatch(new DispatchSpec(null, edit % 2 == 0 ? 3600 : 1200, null, null));
                    });
                }
                return null;
            }));
            go.countDown();
            for (Future<?> f : work) {
                f.get();
            }
        }
        assertThat(new TreeMap<>(answers)).as("heartbeat answers by status code").containsOnlyKeys(200);
        assertThat(answers.get(200).get()).isEqualTo(THREADS * BEATS);

        // The last word of each writer, sent after the storm.
        assertThat(registry.runtime.heartbeat(token, beat(900, 3)).status()).isEqualTo(200);
        registry.workspaces.editSpec("busy", spec -> {
            spec.setRuntime("final");
            spec.setDispatch(new DispatchSpec(null, 3600, null, null));
        });

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Workspace ws = registry.get("busy");
            WorkspaceStatus status = ws.getStatus();
            assertThat(ws.getSpec().getRuntime()).isEqualTo("final");
            assertThat(ws.getSpec().getUrl()).as("untouched by the edits").isEqualTo("http://busy.agents.svc:8000/a2a");
            assertThat(status.getRuntime().idleTimeoutSeconds()).as("the last declaration").isEqualTo(900);
            assertThat(status.getRuntime().activeTasks()).isEqualTo(3);
            assertThat(status.getRuntime().currentTask()).isEqualTo("task-3");
            assertThat(status.getRuntime().capabilities()).containsExactly(Map.entry("session", true));
            assertThat(status.getDispatch()).as("the reconciler agrees with the last declaration")
                    .isEqualTo(new DispatchStatus(900, DispatchSource.Runtime, false, 1800));
            assertThat(status.getObservedGeneration()).isEqualTo(ws.getMetadata().getGeneration());
            assertThat(status.getTokenSha256()).isNotBlank();
            assertThat(status.getLastHeartbeatTime()).isNotBlank();
            assertThat(status.getConditions()).hasSize(3);
        });
    }

    String capabilities(String capabilities, int activeTasks) {
        return registry.beat("busy", "\"active_tasks\": " + activeTasks + ", \"runtime_metadata\": {\"capabilities\": {" + capabilities + "}}");
    }

    /**
     * Two operator replicas behind the runtime's one URL. Replica B's clock runs 100 s ahead of A's (clocks differ
     * between nodes), so what B wrote itself looks newer to it than A's later write, as it does while B's watch lags:
     * B's next beat is decided against its own memo, which never saw {@code b}. It says the runtime owns {@code a}
     * only, and status must say so too.
     */
    @Test
    void aCapabilityOnlyAnotherReplicaWroteIsGoneWhenTheRuntimeNoLongerDeclaresIt() {
        try (RegistryFixture replicaB = new RegistryFixture(client(), namespace(),
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(100)), PolicySettings.DEFAULTS)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> replicaB.runtime.heartbeat(token, capabilities("\"a\": true", 1)).status() == 200);
            assertThat(registry.runtime.heartbeat(token, capabilities("\"a\": true, \"b\": true", 1)).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(registry.get("busy").getStatus().getRuntime().capabilities())
                    .as("replica A's write").isEqualTo(Map.of("a", true, "b", true)));

            assertThat(replicaB.runtime.heartbeat(token, capabilities("\"a\": true", 2)).status()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var runtime = registry.get("busy").getStatus().getRuntime();
                assertThat(runtime.activeTasks()).as("replica B's write landed").isEqualTo(2);
                assertThat(runtime.capabilities()).as("what the runtime declared last, and nothing else").isEqualTo(Map.of("a", true));
            });
        }
    }
}
