package dev.tether.proxy;

import static dev.tether.proxy.ProxyRig.from;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.MockKubeApi;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Caller authentication end to end, reconciler included: the proxy learns a workspace's token only
 * from the hash the reconciler publishes, so when the token Secret is deleted and recreated the old
 * token stops working and the new one starts, without the proxy ever reading a Secret.
 */
class CallerTokenRotationOnMockApiTest {
    static final String NS = "team-a";

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    TetherStack stack;
    DispatchProxy proxy;

    @BeforeEach
    void start() {
        stack = new TetherStack(kube.client(), NS);
        proxy = stack.startProxy();
        stack.agent.on("/echo", TestAgent.Exchange::echo);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    int call(String caller, String token) {
        return stack.dispatch(proxy, "lead", from(NS + "/" + caller, token)).code();
    }

    @Test
    void recreatedSecretRetiresTheOldTokenAtTheProxyOnceTheNewHashIsPublished() {
        stack.workspace("lead", "/echo");
        String old = stack.workspace("dev", "/echo");
        await().atMost(TetherStack.WAIT).until(() -> call("dev", old) == 200);

        kube.client().secrets().inNamespace(NS).withName(TokenSecrets.name("dev")).delete();
        await().atMost(TetherStack.WAIT).until(() -> {
            var secret = kube.client().secrets().inNamespace(NS).withName(TokenSecrets.name("dev")).get();
            return secret != null && !Objects.equals(TokenSecrets.token(secret), old);
        });
        String renewed = TokenSecrets.token(kube.client().secrets().inNamespace(NS).withName(TokenSecrets.name("dev")).get());

        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(50)).until(() -> call("dev", renewed) == 200);
        assertThat(stack.get("dev").getStatus().getTokenSha256()).isEqualTo(TokenSecrets.sha256(renewed));
        assertThat(call("dev", old)).as("the old token is refused").isEqualTo(401);
        assertThat(stack.runtime().heartbeat(renewed, "{\"workspace_id\": \"" + NS + "/dev\"}").status())
                .as("and the runtime beats with the new one").isEqualTo(200);
    }
}
