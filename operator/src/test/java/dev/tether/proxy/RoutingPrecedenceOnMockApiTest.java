package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.RuntimeClient;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a dispatch goes, end to end: the runtime registers its own URL through the registry, yet the
 * admin's {@code spec.url} keeps the traffic; the registered URL takes over only once {@code spec.url}
 * is removed. One agent answers on two paths, so the path that received a dispatch says which URL won.
 */
class RoutingPrecedenceOnMockApiTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    TetherStack stack;
    DispatchProxy proxy;

    @BeforeEach
    void start() {
        stack = new TetherStack(kube.client(), kube.namespace());
        proxy = stack.startProxy();
        stack.agent.on("/spec", TestAgent.Exchange::echo);
        stack.agent.on("/registered", TestAgent.Exchange::echo);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void specUrlKeepsTheDispatchesOverARegisteredUrlUntilItIsRemoved() {
        String token = stack.workspace("researcher", "/spec");
        RuntimeClient.Reply registered = stack.runtime().post("/registry/register", token,
                "{\"id\": \"" + kube.namespace() + "/researcher\", \"url\": \"" + stack.agent.url("/registered") + "\"}");
        assertThat(registered.status()).isEqualTo(200);
        awaitProxySees("researcher", ws -> ws.getStatus() != null && ws.getStatus().getRegistration() != null);

        assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        assertThat(stack.agent.received()).extracting(TestAgent.Received::path).as("paths the agent was called on")
                .containsExactly("/spec");

        stack.workspaces.editSpec("researcher", spec -> spec.setUrl(null));
        awaitProxySees("researcher", ws -> ws.getSpec().getUrl() == null);

        assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        assertThat(stack.agent.received()).extracting(TestAgent.Received::path).as("paths the agent was called on")
                .containsExactly("/spec", "/registered");
    }

    private void awaitProxySees(String name, Predicate<Workspace> state) {
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> proxy.directory().find(new WorkspaceId(kube.namespace(), name)).filter(state).isPresent());
    }
}
