package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchStatus;
import dev.tether.api.WorkspacePhase;
import dev.tether.api.WorkspaceStatus;
import dev.tether.heartbeat.HeartbeatSettings;
import dev.tether.testing.KubeTier;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.TierContract;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes API server goes away while runtimes beat and callers dispatch: heartbeats that need a
 * write answer 503 with Retry-After, the proxy keeps enforcing the last policy it knew, and when the
 * API returns status converges on what the runtime declares with nothing accepted lost. Mock tier
 * ({@link ApiOutageOnMockApiTest}): the embedded API stops, data kept as etcd keeps it. Real tier
 * ({@link ApiOutageOnRealApiTest}): every connection to a real kube-apiserver is cut.
 */
abstract class ApiOutageContract extends TierContract {
    TetherStack stack;
    DispatchProxy proxy;
    String token;

    /** Takes the API away until the handle is closed. */
    abstract AutoCloseable outage();

    @BeforeEach
    void start() {
        stack = new TetherStack(client(), namespace());
        proxy = stack.startProxy();
        token = stack.silentAgentDeclaring(proxy, "thinker", Duration.ofSeconds(20), 2);
    }

    /** Releases what {@link #client()} needed, after the stack has stopped using it. */
    void release() {
    }

    @AfterEach
    void stop() {
        stack.close();
        release();
    }

    @Test
    void duringAnOutageBeatsAre503TheProxyCutsAtTheDeclaredWindowAndAfterwardsStatusConverges() throws Exception {
        RuntimeClient.Reply changed;
        ProxyRig.Reply cut;
        Instant outageEnded;
        try (AutoCloseable outage = outage()) {
            changed = stack.declare(token, "thinker", 3);
            cut = stack.dispatch(proxy, "thinker");
        } finally {
            outageEnded = Instant.now();
        }

        assertThat(changed.status()).as("a new declaration cannot be stored: not accepted").isEqualTo(503);
        assertThat(changed.retryAfter()).isEqualTo(String.valueOf(HeartbeatSettings.RETRY_AFTER_SECONDS));
        assertThat(cut.code()).isEqualTo(503);
        assertThat(cut.json().get("idle_timeout_seconds").asInt()).as("the declared window, not the 30 s default").isEqualTo(2);
        assertThat(cut.json().get("source").asText()).isEqualTo("Runtime");
        ProxyRig.assertFiredAt(cut.elapsed(), Duration.ofSeconds(2));

        // The runtime sends its declaration again, as Retry-After told it to; it is stored once the API is back.
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.declare(token, "thinker", 3).status() == 200);
        await().atMost(TetherStack.WAIT).untilAsserted(() -> {
            WorkspaceStatus status = stack.get("thinker").getStatus();
            assertThat(status.getRuntime().idleTimeoutSeconds()).isEqualTo(3);
            assertThat(status.getDispatch()).isEqualTo(new DispatchStatus(3, DispatchSource.Runtime, false, 1800));
            assertThat(status.getPhase()).isEqualTo(WorkspacePhase.Online);
            assertThat(status.lastHeartbeat()).isAfter(outageEnded.minusSeconds(1));
            assertThat(status.getTokenSha256()).isNotBlank();
        });
        stack.awaitEnforced(proxy, "thinker", 3, DispatchSource.Runtime);
        ProxyRig.Reply after = stack.dispatch(proxy, "thinker");
        assertThat(after.code()).isEqualTo(503);
        assertThat(after.json().get("idle_timeout_seconds").asInt()).isEqualTo(3);
        ProxyRig.assertFiredAt(after.elapsed(), Duration.ofSeconds(3));
    }

    @Test
    void aProxyStartedAfterTheOutageEndsServesTheSamePolicy() throws Exception {
        try (AutoCloseable outage = outage()) {
            assertThat(stack.dispatch(proxy, "thinker").json().get("idle_timeout_seconds").asInt()).isEqualTo(2);
        }
        DispatchProxy late = stack.startProxy();
        assertThat(stack.enforces(late, "thinker", 2, DispatchSource.Runtime)).isTrue();
    }
}
