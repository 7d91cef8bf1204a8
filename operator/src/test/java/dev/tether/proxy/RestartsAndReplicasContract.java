package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.testing.KubeTier;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.TierContract;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declaration lives in the API server, so restarts do not fall back to the default and replicas
 * agree. The runtime declares 2 s; the platform default is 30 s, so every cut below says which rule
 * the proxy applied. Runs on the mock API ({@link RestartsAndReplicasOnMockApiTest}) and a real
 * kube-apiserver ({@link RestartsAndReplicasOnRealApiTest}).
 */
abstract class RestartsAndReplicasContract extends TierContract {
    private static final Logger LOG = LoggerFactory.getLogger(RestartsAndReplicasContract.class);
    /** How far apart two replicas may enforce the same change. */
    static final Duration REPLICA_SKEW = Duration.ofSeconds(1);
    /** How long both held dispatches have been silent when the 1 s override is set: past it, so each is cut on sight. */
    static final Duration SILENT_PAST_THE_NEW_WINDOW = Duration.ofMillis(1500);

    TetherStack stack;
    DispatchProxy proxy;
    String token;

    @BeforeEach
    void start() {
        stack = new TetherStack(client(), namespace());
        proxy = stack.startProxy();
        token = stack.silentAgentDeclaring(proxy, "thinker", Duration.ofSeconds(60), 2);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    /** The first dispatch is cut at the runtime's 2 s, not the 30 s default. */
    void assertCutAtTheDeclaredWindow(ProxyRig.Reply reply) {
        assertCutAtTheRuntimesWindow(reply, 2);
    }

    void assertCutAtTheRuntimesWindow(ProxyRig.Reply reply, int seconds) {
        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.json().get("idle_timeout_seconds").asInt()).isEqualTo(seconds);
        assertThat(reply.json().get("source").asText()).isEqualTo("Runtime");
        ProxyRig.assertFiredAt(reply.elapsed(), Duration.ofSeconds(seconds));
    }

    /**
     * The proxy never restarts here, so the first cut alone would pass with no operator at all; the next
     * declaration reaches status.dispatch, and so the proxy, only through the new instance's reconciler.
     */
    @Test
    void afterAnOperatorRestartTheDeclaredWindowHoldsAndTheNewInstanceResolvesTheNextDeclaration() {
        stack.stopOperator();
        stack.startOperator(); // no heartbeat since: the runtime has not beaten the new instance yet

        assertCutAtTheDeclaredWindow(stack.dispatch(proxy, "thinker"));
        RuntimeClient.Reply beat = stack.declare(token, "thinker", 3);
        assertThat(beat.status()).isEqualTo(200);
        assertThat(beat.body().at("/dispatch/idle_timeout_seconds").asInt()).isEqualTo(3);
        stack.awaitEnforced(proxy, "thinker", 3, DispatchSource.Runtime);
        assertCutAtTheRuntimesWindow(stack.dispatch(proxy, "thinker"), 3);
    }

    @Test
    void afterAProxyRestartTheFirstDispatchEnforcesTheDeclaredWindow() {
        stack.stopProxy(proxy);
        DispatchProxy restarted = stack.startProxy();

        assertCutAtTheDeclaredWindow(stack.dispatch(restarted, "thinker"));
    }

    @Test
    void afterEverythingRestartsTheFirstDispatchEnforcesTheDeclaredWindow() {
        stack.stopProxy(proxy);
        stack.stopOperator();
        stack.startOperator();
        DispatchProxy restarted = stack.startProxy();

        assertCutAtTheDeclaredWindow(stack.dispatch(restarted, "thinker"));
    }

    /**
     * Two replicas each hold a silent dispatch under a 30 s window; the admin then sets a 1 s override.
     * Each replica cuts its dispatch as soon as it sees the change (the silence already exceeds 1 s),
     * so the cut times measure when each replica first enforced the new window.
     */
    @Test
    void twoReplicasEnforceAChangedWindowWithinOneSecondOfEachOther() throws Exception {
        DispatchProxy second = stack.startProxy();
        assertThat(stack.declare(token, "thinker", 30).status()).isEqualTo(200);
        for (DispatchProxy replica : List.of(proxy, second)) {
            stack.awaitEnforced(replica, "thinker", 30, DispatchSource.Runtime);
        }
        AtomicLong firstCut = new AtomicLong();
        AtomicLong secondCut = new AtomicLong();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<ProxyRig.Reply> a = CompletableFuture.supplyAsync(() -> stack.dispatch(proxy, "thinker"), callers)
                    .whenComplete((r, e) -> firstCut.set(System.nanoTime()));
            CompletableFuture<ProxyRig.Reply> b = CompletableFuture.supplyAsync(() -> stack.dispatch(second, "thinker"), callers)
                    .whenComplete((r, e) -> secondCut.set(System.nanoTime()));
            await().atMost(TetherStack.WAIT).until(() -> stack.agent.receivedCount() == 2);
            // The agent got each request after its proxy started the dispatch's idle clock, so this is a lower bound.
            await("both dispatches silent longer than the coming 1 s window").atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> stack.agent.received().stream().allMatch(r -> r.age().compareTo(SILENT_PAST_THE_NEW_WINDOW) > 0));

            long changed = System.nanoTime();
            stack.workspaces.editSpec("thinker", spec -> spec.setDispatch(new DispatchSpec(1, null, null, null)));

            for (CompletableFuture<ProxyRig.Reply> reply : List.of(a, b)) {
                ProxyRig.Reply cut = reply.join();
                assertThat(cut.code()).isEqualTo(503);
                assertThat(cut.json().get("idle_timeout_seconds").asInt()).isEqualTo(1);
                assertThat(cut.json().get("source").asText()).isEqualTo("Spec");
            }
            Duration skew = Duration.ofNanos(Math.abs(firstCut.get() - secondCut.get()));
            LOG.info("replica skew {} ms; replicas enforced the change {} ms and {} ms after the spec edit", skew.toMillis(),
                    (firstCut.get() - changed) / 1_000_000, (secondCut.get() - changed) / 1_000_000);
            assertThat(skew).isLessThan(REPLICA_SKEW);
            assertThat(Duration.ofNanos(Math.max(firstCut.get(), secondCut.get()) - changed)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
