package dev.tether.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.Workspace;
import dev.tether.kube.KubeClients;
import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two operator replicas with a Lease: the standby takes over reconciling, and heartbeats never stop being accepted. */
@RealApiTest
class LeaderFailoverRealApiTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LeaderFailoverRealApiTest.class);
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    OperatorRole replica(KubernetesClient client) {
        return OperatorRole.start(client, new OperatorSettings(0, List.of(kube.namespace()), kube.namespace(),
                new ReconcilerSettings(PolicySettings.DEFAULTS, Duration.ofSeconds(180)), Duration.ofSeconds(60), true, null, "default"),
                Clock.systemUTC());
    }

    /** A client whose namespace is the test's, so the Lease lives there like in the operator's own namespace. */
    KubernetesClient clientInTestNamespace() {
        return KubeClients.forConfig(new ConfigBuilder(kube.client().getConfiguration()).withNamespace(kube.namespace()).build());
    }

    boolean reconciled(Workspaces workspaces, String name) {
        Workspace ws = workspaces.get(name);
        return ws != null && ws.getStatus() != null && ws.getStatus().getDispatch() != null;
    }

    @Test
    void standbyTakesOverWithinTheLeaseTimeWhileHeartbeatsKeepBeingAccepted() throws Exception {
        Workspaces workspaces = new Workspaces(kube.client(), kube.namespace());
        try (KubernetesClient clientA = clientInTestNamespace(); KubernetesClient clientB = clientInTestNamespace()) {
            OperatorRole a = replica(clientA);
            workspaces.create("first");
            await().atMost(Duration.ofSeconds(40)).until(() -> reconciled(workspaces, "first"));
            String leaderA = kube.client().leases().inNamespace(kube.namespace()).withName(ReconcilerRuntime.LEASE_NAME).get()
                    .getSpec().getHolderIdentity();

            try (OperatorRole b = replica(clientB)) {
                String token = TokenSecrets.token(kube.client().secrets().inNamespace(kube.namespace())
                        .withName(TokenSecrets.name("first")).get());
                RuntimeClient viaA = new RuntimeClient(a.baseUrl());
                RuntimeClient viaB = new RuntimeClient(b.baseUrl());
                String beat = "{\"workspace_id\": \"" + kube.namespace() + "/first\", \"active_tasks\": 1}";
                await().atMost(Duration.ofSeconds(20)).until(() -> viaB.heartbeat(token, beat).status() == 200);
                assertThat(viaA.heartbeat(token, beat).status()).as("the leader serves heartbeats").isEqualTo(200);
                assertThat(viaB.send(new okhttp3.Request.Builder().url(b.baseUrl() + "/readyz"), null).status())
                        .as("the standby is ready: it serves the registry while it waits for the Lease").isEqualTo(200);
                assertThat(viaA.send(new okhttp3.Request.Builder().url(a.baseUrl() + "/readyz"), null).status()).isEqualTo(200);

                List<Integer> answers = new CopyOnWriteArrayList<>();
                AtomicBoolean beating = new AtomicBoolean(true);
                Thread runtime = Thread.ofVirtual().start(() -> {
                    while (beating.get()) {
                        answers.add(viaB.heartbeat(token, beat).status());
                        Thread.onSpinWait();
                    }
                });

                long leaderGone = System.nanoTime();
                a.close(); // the leader goes away
                workspaces.create("second");
                await().atMost(Duration.ofSeconds(40)).until(() -> reconciled(workspaces, "second"));
                LOG.info("failover: the standby reconciled a new workspace {} ms after the leader stopped",
                        (System.nanoTime() - leaderGone) / 1_000_000);

                beating.set(false);
                runtime.join();
                Lease lease = kube.client().leases().inNamespace(kube.namespace()).withName(ReconcilerRuntime.LEASE_NAME).get();
                assertThat(lease.getSpec().getHolderIdentity()).as("the standby holds the Lease now").isNotEqualTo(leaderA);
                assertThat(answers).as("heartbeats during the failover").isNotEmpty().containsOnly(200);
            }
        }
    }
}
