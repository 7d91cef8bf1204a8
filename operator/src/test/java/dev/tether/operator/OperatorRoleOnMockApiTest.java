package dev.tether.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.RuntimeClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Starting the operator role: what a failed start leaves behind. */
class OperatorRoleOnMockApiTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();

    OperatorSettings settings(int port) {
        return new OperatorSettings(port, List.of(kube.namespace()), kube.namespace(),
                new ReconcilerSettings(PolicySettings.DEFAULTS, Duration.ofSeconds(30)), Duration.ofSeconds(5), false, null, "default");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void readinessFollowsTheReconcilersInformersThroughAnApiOutage() throws Exception {
        try (OperatorRole role = OperatorRole.start(kube.client(), settings(0), Clock.systemUTC())) {
            RuntimeClient client = new RuntimeClient(role.baseUrl());
            Supplier<RuntimeClient.Reply> readyz = () -> client.send(new Request.Builder().url(role.baseUrl() + "/readyz"), null);
            await().atMost(Duration.ofSeconds(20)).until(() -> readyz.get().status() == 200);
            assertThat(readyz.get().body().path("checks").path("reconciler").asBoolean()).isTrue();

            try (AutoCloseable down = kube.outage()) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    RuntimeClient.Reply reply = readyz.get();
                    assertThat(reply.status()).isEqualTo(503);
                    assertThat(reply.body().path("checks").path("reconciler").asBoolean(true)).as("the reconciler's watch broke").isFalse();
                });
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> readyz.get().status() == 200);
        }
    }

    @Test
    void anOperatorWhoseReconcilerCannotStartLeavesNoServerAndNoCachesBehind() throws Exception {
        int port = freePort();
        try (AutoCloseable down = kube.outage()) {
            assertThatThrownBy(() -> OperatorRole.start(kube.client(), settings(port), Clock.systemUTC()))
                    .isInstanceOf(RuntimeException.class);
        }

        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).as("the endpoints' port is free again").isEqualTo(port);
        }
        // Informers left running would list and watch again now that the API is back.
        long before = kube.requests().size();
        await("no informer of the failed start lists or watches").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                .until(() -> kube.requests().size() == before);
    }
}
