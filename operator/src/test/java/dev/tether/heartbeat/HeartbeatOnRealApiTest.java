package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.DispatchSource;
import dev.tether.api.RuntimeStatus;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import dev.tether.testing.RuntimeClient.Reply;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The heartbeat happy path and its refusals on a real kube-apiserver. */
@RealApiTest
class HeartbeatOnRealApiTest {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();
    RegistryFixture registry;
    String token;

    @BeforeEach
    void start() {
        registry = new RegistryFixture(kube.client(), kube.namespace(), Clock.systemUTC());
        token = registry.workspaceWithToken("researcher");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void declaredTimeoutReachesStatusAndTheEffectivePolicy() {
        Reply reply = registry.runtime.heartbeat(token, registry.beat("researcher", """
                "active_tasks": 1, "current_task": "summarise", "runtime_state": "",
                "runtime_metadata": {"capabilities": {"session": true, "retry": false}, "idle_timeout_seconds": 600}"""));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().at("/dispatch/idle_timeout_seconds").asInt()).isEqualTo(600);
        RuntimeStatus runtime = registry.get("researcher").getStatus().getRuntime();
        assertThat(runtime.idleTimeoutSeconds()).isEqualTo(600);
        assertThat(runtime.capabilities()).containsExactlyInAnyOrderEntriesOf(Map.of("session", true, "retry", false));
        assertThat(runtime.state()).as("a healthy state is stored as absent").isNull();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                registry.get("researcher").getStatus().getDispatch().source()).isEqualTo(DispatchSource.Runtime));

        registry.runtime.heartbeat(token, registry.beat("researcher", "\"active_tasks\": 0"));
        assertThat(registry.get("researcher").getStatus().getRuntime().capabilities()).as("a partial beat keeps the declaration")
                .containsEntry("session", true);
        assertThat(registry.get("researcher").getStatus().getRuntime().activeTasks()).isZero();
    }

    @Test
    void wrongTokenForeignTokenAndUnknownWorkspaceAreAll401() {
        String foreign = registry.workspaceWithToken("reviewer");
        RuntimeStatus before = registry.get("researcher").getStatus().getRuntime();
        String body = registry.beat("researcher", "\"runtime_metadata\": {\"idle_timeout_seconds\": 900}");

        assertThat(registry.runtime.heartbeat(null, body).status()).isEqualTo(401);
        assertThat(registry.runtime.heartbeat("wrong", body).status()).isEqualTo(401);
        assertThat(registry.runtime.heartbeat(foreign, body).status()).isEqualTo(401);
        assertThat(registry.runtime.heartbeat(token, registry.beat("nobody", "")).status()).isEqualTo(401);
        assertThat(registry.get("researcher").getStatus().getRuntime()).isEqualTo(before);
    }
}
