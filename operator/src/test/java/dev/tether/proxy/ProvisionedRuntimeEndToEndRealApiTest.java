package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.api.PodTemplate;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.embedded.node.NodeStandIn;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.provisioning.RuntimeObjects;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Workspace with a template, end to end on a real kube-apiserver with the node stand-in as its kubelet: Tether makes
 * the Deployment and Service, the stand-in runs the runtime with what Tether injected, the runtime heartbeats with the
 * mounted token through PLATFORM_URL (the proxy, which relays /registry/*), a dispatch through the proxy reaches it at
 * its ready endpoint (not at the pod URL it registered), suspend scales it away and dispatches answer 503 suspended.
 */
@RealApiTest
class ProvisionedRuntimeEndToEndRealApiTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();
    @TempDir
    Path pods;

    OperatorRole operator;
    DispatchProxy proxy;
    NodeStandIn node;
    Workspaces workspaces;
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    @BeforeEach
    void start() throws IOException {
        String ns = kube.namespace();
        workspaces = new Workspaces(kube.client(), ns);
        int proxyPort;
        try (ServerSocket free = new ServerSocket(0)) {
            proxyPort = free.getLocalPort();
        }
        operator = OperatorRole.start(kube.client(), new OperatorSettings(0, List.of(ns), "default",
                new ReconcilerSettings(PolicySettings.DEFAULTS, Duration.ofSeconds(10)), Duration.ofSeconds(1), false,
                "http://127.0.0.1:" + proxyPort, "default"), Clock.systemUTC());
        // Pods stand in on 127.0.0.1, which a production proxy refuses for addresses it did not get from an admin.
        proxy = DispatchProxy.start(kube.client(), ProxySettings.builder().host("127.0.0.1").port(proxyPort).namespaces(List.of(ns))
                .defaultNamespace(ns).registryUrl(operator.baseUrl()).allowedRegisteredNetworks(List.of("127.0.0.0/8")).build());
        node = new NodeStandIn(kube.client(), ns, pods, RuntimeObjects.SELECTOR, RuntimeObjects.PORT_NAME);
    }

    @AfterEach
    void stop() {
        node.close();
        proxy.close();
        operator.close();
    }

    ProxyRig.Reply dispatch(String name) {
        return ProxyRig.call(http, new Request.Builder().url(proxy.baseUrl() + "/workspaces/" + kube.namespace() + "/" + name + "/a2a")
                .post(RequestBody.create(ProxyRig.MESSAGE, ProxyRig.JSON)).build());
    }

    @Test
    void appliedTemplateRunsHeartbeatsServesDispatchesAndSuspends() throws Exception {
        String ns = kube.namespace();
        PodTemplate template = new PodTemplate(null, new ObjectMapper().readTree("""
                {"containers": [{"name": "agent", "image": "example.com/agent:1",
                                 "ports": [{"name": "a2a", "containerPort": 8000}]}]}"""));
        Workspace created = workspaces.create("researcher", spec -> {
            spec.setUrl(null);
            spec.setTemplate(template);
        });

        await().atMost(WAIT).untilAsserted(() -> {
            Workspace ws = workspaces.get("researcher");
            assertThat(ws.getStatus()).isNotNull();
            assertThat(ws.getStatus().getLastHeartbeatTime()).as("the runtime heartbeats with the mounted token").isNotNull();
            assertThat(ws.getStatus().getPhase()).isEqualTo(WorkspacePhase.Online);
            assertThat(ws.getStatus().getProvisioning().readyReplicas()).isEqualTo(1);
            assertThat(ws.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.type()).isEqualTo("Ready");
                assertThat(c.status()).isEqualTo("True");
            });
            assertThat(ws.getStatus().getRegistration()).as("the pod registered its own URL").isNotNull();
        });
        assertThat(workspaces.get("researcher").getStatus().getRegistration().url()).startsWith("http://researcher-");

        ProxyRig.Reply reply = await().atMost(WAIT).until(() -> dispatch("researcher"), r -> r.code() == 200);
        assertThat(new ObjectMapper().readTree(reply.body()).at("/result/workspace").asText())
                .as("reached the runtime, which got WORKSPACE_ID injected").isEqualTo(ns + "/researcher");

        workspaces.editSpec("researcher", spec -> spec.setSuspend(true));
        await().atMost(WAIT).until(() -> node.running("researcher") == 0);
        await().atMost(WAIT).untilAsserted(() -> {
            ProxyRig.Reply suspended = dispatch("researcher");
            assertThat(suspended.code()).isEqualTo(503);
            assertThat(suspended.body()).contains("suspended");
        });

        workspaces.resource("researcher").delete();
        await().atMost(WAIT).until(() -> workspaces.get("researcher") == null);
        // kube-apiserver alone runs no garbage collector: what Tether made stays, owned by the deleted Workspace, which
        // is what tells a cluster's garbage collector to remove it.
        for (HasMetadata owned : List.<HasMetadata>of(kube.client().apps().deployments().inNamespace(ns).withName("researcher").get(),
                kube.client().services().inNamespace(ns).withName("researcher").get())) {
            assertThat(owned.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
        }
    }
}
