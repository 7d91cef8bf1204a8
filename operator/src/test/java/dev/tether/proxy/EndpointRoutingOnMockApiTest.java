package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.api.PodTemplate;
import dev.tether.api.WorkspaceId;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.RuntimeClient;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a provisioned workspace's dispatches go: to its ready endpoints, as the EndpointSlices the endpoint controller
 * keeps for its Service say, spread over them; not to a URL one of its pods registers; spec.url still wins. Two agents
 * on two ports stand in for two ready pods (the node stand-in does this with real runtimes on the real tier).
 */
class EndpointRoutingOnMockApiTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    TetherStack stack;
    DispatchProxy proxy;
    final TestAgent second = new TestAgent();
    String token;

    @BeforeEach
    void start() throws Exception {
        stack = new TetherStack(kube.client(), kube.namespace());
        proxy = stack.startProxy();
        stack.agent.on("/", TestAgent.Exchange::echo);
        stack.agent.on("/spec", TestAgent.Exchange::echo);
        second.on("/", TestAgent.Exchange::echo);
        PodTemplate template = new PodTemplate(null, new ObjectMapper().readTree("{\"containers\": [{\"name\": \"agent\", \"image\": \"agent:1\"}]}"));
        token = stack.workspace("researcher", spec -> {
            spec.setUrl(null);
            spec.setTemplate(template);
        });
    }

    @AfterEach
    void stop() {
        stack.close();
        second.close();
    }

    static int port(TestAgent agent) {
        return URI.create(agent.url("/")).getPort();
    }

    /** A slice as the endpoint controller writes it for Service "researcher", one endpoint at 127.0.0.1:{port}. */
    EndpointSlice slice(String name, int port, boolean ready, boolean fromTheEndpointController) {
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(kube.namespace())
                .addToLabels("kubernetes.io/service-name", "researcher").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("a2a").withPort(port).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(ready).endConditions().endEndpoint();
        if (fromTheEndpointController) {
            slice.editMetadata().addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata();
        }
        return kube.client().resource(slice.build()).createOr(existing -> existing.update());
    }

    boolean proxyHasAReadyEndpoint() {
        return proxy.directory().nextReadyEndpoint(new WorkspaceId(kube.namespace(), "researcher")).isPresent();
    }

    @Test
    void noReadyReplicaIs503NamingTheWorkspace() {
        slice("researcher-a", port(stack.agent), true, true);
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(this::proxyHasAReadyEndpoint);
        slice("researcher-a", port(stack.agent), false, true);
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(() -> !proxyHasAReadyEndpoint());

        ProxyRig.Reply reply = stack.dispatch(proxy, "researcher");

        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.body()).contains(kube.namespace() + "/researcher").contains("no ready replica");
        assertThat(stack.agent.received()).as("a not-ready endpoint gets nothing").isEmpty();
    }

    @Test
    void slicesTheEndpointControllerDidNotWriteAreIgnored() {
        slice("researcher-forged", port(second), true, false);
        slice("researcher-a", port(stack.agent), true, true);
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(this::proxyHasAReadyEndpoint);

        for (int i = 0; i < 4; i++) {
            assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        }

        assertThat(stack.agent.received()).hasSize(4);
        assertThat(second.received()).as("the forged slice's address").isEmpty();
    }

    @Test
    void dispatchesSpreadOverTheReadyEndpoints() {
        slice("researcher-a", port(stack.agent), true, true);
        slice("researcher-b", port(second), true, true);
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
            stack.dispatch(proxy, "researcher");
            return !stack.agent.received().isEmpty() && !second.received().isEmpty();
        });
        int first = stack.agent.received().size();
        int other = second.received().size();

        for (int i = 0; i < 6; i++) {
            assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        }

        assertThat(stack.agent.received()).as("first pod").hasSize(first + 3).allSatisfy(r -> assertThat(r.path()).isEqualTo("/"));
        assertThat(second.received()).as("second pod").hasSize(other + 3);

        slice("researcher-b", port(second), false, true);
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> proxy.directory().nextReadyEndpoint(new WorkspaceId(kube.namespace(), "researcher")).map(a -> a.getPort() == port(stack.agent))
                        .orElse(false) && proxy.directory().nextReadyEndpoint(new WorkspaceId(kube.namespace(), "researcher"))
                        .map(a -> a.getPort() == port(stack.agent)).orElse(false));
        int before = second.received().size();
        assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        assertThat(second.received()).as("a pod no longer ready gets nothing").hasSize(before);
    }

    @Test
    void aUrlTheRuntimeRegistersIsNotUsedButSpecUrlWins() {
        slice("researcher-a", port(second), true, true);
        RuntimeClient.Reply registered = stack.runtime().post("/registry/register", token,
                "{\"id\": \"" + kube.namespace() + "/researcher\", \"url\": \"" + stack.agent.url("/registered") + "\"}");
        assertThat(registered.status()).isEqualTo(200);
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(() -> proxy.directory()
                .find(new WorkspaceId(kube.namespace(), "researcher")).map(ws -> ws.getStatus() != null && ws.getStatus().getRegistration() != null)
                .orElse(false) && proxy.directory().nextReadyEndpoint(new WorkspaceId(kube.namespace(), "researcher")).isPresent());

        assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        assertThat(second.received()).hasSize(1);
        assertThat(stack.agent.received()).as("the pod's registered URL").isEmpty();

        stack.workspaces.editSpec("researcher", spec -> spec.setUrl(stack.agent.url("/spec")));
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(() -> proxy.directory()
                .find(new WorkspaceId(kube.namespace(), "researcher")).map(ws -> ws.getSpec().getUrl() != null).orElse(false));
        assertThat(stack.dispatch(proxy, "researcher").code()).isEqualTo(200);
        assertThat(stack.agent.received()).extracting(TestAgent.Received::path).containsExactly("/spec");
    }

    @Test
    void suspendedWorkspaceAnswers503Suspended() {
        slice("researcher-a", port(second), true, true);
        stack.workspaces.editSpec("researcher", spec -> spec.setSuspend(true));
        await().atMost(TetherStack.WAIT).pollInterval(Duration.ofMillis(10)).until(() -> proxy.directory()
                .find(new WorkspaceId(kube.namespace(), "researcher")).map(ws -> Boolean.TRUE.equals(ws.getSpec().getSuspend())).orElse(false));

        ProxyRig.Reply reply = stack.dispatch(proxy, "researcher");

        assertThat(reply.code()).isEqualTo(503);
        assertThat(reply.body()).contains("suspended").contains(kube.namespace() + "/researcher");
        assertThat(second.received()).isEmpty();
    }
}
