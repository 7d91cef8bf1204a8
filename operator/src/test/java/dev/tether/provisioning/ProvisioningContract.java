package dev.tether.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.api.Condition;
import dev.tether.api.PodTemplate;
import dev.tether.api.ProvisioningMode;
import dev.tether.api.ProvisioningStatus;
import dev.tether.api.Workspace;
import dev.tether.operator.OperatorSettings;
import dev.tether.operator.ReconcilerRuntime;
import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.KubeTier;
import dev.tether.testing.TierContract;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Workspace with a template, as a user sees it through the API: what Tether creates, keeps and removes. Runs on the
 * mock API ({@link ProvisioningOnMockApiTest}) and a real kube-apiserver ({@link ProvisioningOnRealApiTest}); neither
 * runs pods, so tests set the Deployment's status as the Deployment controller would.
 */
abstract class ProvisioningContract extends TierContract {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String PLATFORM_URL = "http://tether-proxy.tether-system.svc:8090";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String RUNTIME = """
            {"containers": [{"name": "agent", "image": "example.com/agent:1",
              "ports": [{"name": "a2a", "containerPort": 9000}],
              "env": [{"name": "MODEL", "value": "small"}, {"name": "WORKSPACE_ID", "value": "mine"}]}]}""";

    ReconcilerRuntime runtime;
    Workspaces workspaces;

    @BeforeEach
    void startReconciler() {
        workspaces = new Workspaces(client(), namespace());
        OperatorSettings settings = new OperatorSettings(0, List.of(namespace()), "default",
                new ReconcilerSettings(PolicySettings.DEFAULTS, Duration.ofSeconds(3)), Duration.ofSeconds(1), false, PLATFORM_URL, "default");
        runtime = ReconcilerRuntime.start(client(), settings, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    @AfterEach
    void stopReconciler() {
        runtime.close();
    }

    static PodTemplate template(String podSpecJson) {
        try {
            return new PodTemplate(null, JSON.readTree(podSpecJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(podSpecJson, e);
        }
    }

    Workspace provisioned(String name, String podSpecJson) {
        return workspaces.create(name, s -> {
            s.setUrl(null);
            s.setTemplate(template(podSpecJson));
        });
    }

    Deployment deployment(String name) {
        return client().apps().deployments().inNamespace(namespace()).withName(name).get();
    }

    Service service(String name) {
        return client().services().inNamespace(namespace()).withName(name).get();
    }

    Deployment awaitDeployment(String name) {
        await().atMost(WAIT).until(() -> deployment(name) != null);
        return deployment(name);
    }

    static Container runtimeContainer(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    static Map<String, String> env(Deployment d) {
        return runtimeContainer(d).getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
    }

    /** The Ready condition; one with no status, reason or message before the reconciler wrote any. */
    Condition ready(String name) {
        Workspace ws = workspaces.get(name);
        Condition none = new Condition("Ready", null, null, null, null, null);
        return ws.getStatus() == null || ws.getStatus().getConditions() == null ? none
                : ws.getStatus().getConditions().stream().filter(c -> c.type().equals("Ready")).findFirst().orElse(none);
    }

    /** What the Deployment controller would write once a pod is ready. */
    void markAvailable(String name, int replicas) {
        Deployment d = deployment(name);
        d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration()).build());
        client().resource(d).updateStatus();
    }

    @Test
    void templateBecomesAnOwnedDeploymentAndServiceWithTheTokenAndEnvInjected() {
        Workspace ws = provisioned("researcher", RUNTIME);

        Deployment d = awaitDeployment("researcher");
        assertThat(d.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(ws.getMetadata().getUid());
            assertThat(o.getController()).isTrue();
        });
        assertThat(d.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "tether-workspace")
                .containsEntry("tether.dev/workspace", "researcher");
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(RuntimeObjects.labels("researcher"));
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(RuntimeObjects.labels("researcher"));

        Container agent = runtimeContainer(d);
        assertThat(agent.getImage()).isEqualTo("example.com/agent:1");
        assertThat(env(d)).containsEntry("MODEL", "small")
                .as("Tether's WORKSPACE_ID wins over the template's").containsEntry("WORKSPACE_ID", namespace() + "/researcher")
                .containsEntry("PLATFORM_URL", PLATFORM_URL)
                .containsEntry("A2A_PORT", "9000");
        assertThat(agent.getEnv()).as("one entry per name").extracting(EnvVar::getName).doesNotHaveDuplicates();
        assertThat(agent.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/configs/.auth_token");
            assertThat(m.getSubPath()).isEqualTo(".auth_token");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo(agent.getVolumeMounts().getFirst().getName());
            assertThat(v.getSecret().getSecretName()).isEqualTo(TokenSecrets.name("researcher"));
            assertThat(v.getSecret().getItems()).singleElement().satisfies(i -> {
                assertThat(i.getKey()).isEqualTo("token");
                assertThat(i.getPath()).isEqualTo(".auth_token");
            });
        });

        await().atMost(WAIT).until(() -> service("researcher") != null);
        Service svc = service("researcher");
        assertThat(svc.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(ws.getMetadata().getUid()));
        assertThat(svc.getSpec().getSelector()).isEqualTo(RuntimeObjects.labels("researcher"));
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("a2a");
            assertThat(p.getPort()).isEqualTo(9000);
            assertThat(p.getTargetPort()).isEqualTo(new IntOrString("a2a"));
        });

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(workspaces.get("researcher").getStatus().getProvisioning())
                    .isEqualTo(new ProvisioningStatus(ProvisioningMode.Provisioned, "example.com/agent:1", 1, 0));
            assertThat(ready("researcher").reason()).isEqualTo("RuntimeUnavailable");
        });
    }

    @Test
    void settledRuntimeIsNotRewritten() {
        provisioned("researcher", RUNTIME);
        awaitDeployment("researcher");
        markAvailable("researcher", 1);
        await().atMost(WAIT).until(() -> "True".equals(ready("researcher").status()));
        String deployment = deployment("researcher").getMetadata().getResourceVersion();
        String service = service("researcher").getMetadata().getResourceVersion();

        // Heartbeats reconcile the workspace again and again; none may touch the Deployment or Service.
        for (int beat = 0; beat < 5; beat++) {
            workspaces.patchStatus("researcher", "{\"lastHeartbeatTime\": \"" + Instant.now() + "\"}");
        }
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
            assertThat(deployment("researcher").getMetadata().getResourceVersion()).as(() -> "Deployment rewritten: "
                    + client().getKubernetesSerialization().asYaml(deployment("researcher"))).isEqualTo(deployment);
            assertThat(service("researcher").getMetadata().getResourceVersion()).as(() -> "Service rewritten: "
                    + client().getKubernetesSerialization().asYaml(service("researcher"))).isEqualTo(service);
        });
    }

    @Test
    void unnamedPortMeans8000() {
        provisioned("writer", """
                {"containers": [{"name": "agent", "image": "example.com/agent:1"}]}""");
        Deployment d = awaitDeployment("writer");
        assertThat(env(d)).containsEntry("A2A_PORT", "8000");
        await().atMost(WAIT).until(() -> service("writer") != null);
        assertThat(service("writer").getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8000);
            assertThat(p.getTargetPort()).isEqualTo(new IntOrString(8000));
        });
    }

    @Test
    void readyFollowsTheDeploymentsAvailabilityAndSuspendScalesToZero() {
        provisioned("researcher", RUNTIME);
        awaitDeployment("researcher");

        markAvailable("researcher", 1);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready("researcher").status()).isEqualTo("True");
            assertThat(workspaces.get("researcher").getStatus().getProvisioning().readyReplicas()).isEqualTo(1);
        });

        // A surge during a rollout: only the count changes, and status follows it.
        markAvailable("researcher", 2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(workspaces.get("researcher").getStatus().getProvisioning().readyReplicas())
                .isEqualTo(2));

        workspaces.editSpec("researcher", s -> s.setSuspend(true));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment("researcher").getSpec().getReplicas()).isZero();
            assertThat(ready("researcher").reason()).isEqualTo("Suspended");
            assertThat(workspaces.get("researcher").getStatus().getProvisioning().replicas()).isZero();
        });

        workspaces.editSpec("researcher", s -> s.setSuspend(false));
        await().atMost(WAIT).until(() -> deployment("researcher").getSpec().getReplicas() == 1);
    }

    @Test
    void manualEditsAreRevertedButARolloutRestartIsKept() {
        provisioned("researcher", RUNTIME);
        awaitDeployment("researcher");
        await().atMost(WAIT).until(() -> service("researcher") != null);

        client().apps().deployments().inNamespace(namespace()).withName("researcher").edit(d -> {
            d.getSpec().getTemplate().getMetadata().getAnnotations().put(RuntimeObjects.RESTARTED_AT, "2026-11-25T10:00:00Z");
            return d;
        });
        client().apps().deployments().inNamespace(namespace()).withName("researcher").edit(d -> {
            d.getSpec().setReplicas(3);
            runtimeContainer(d).setImage("example.com/other:9");
            return d;
        });
        client().services().inNamespace(namespace()).withName("researcher").edit(s -> {
            s.getSpec().getPorts().getFirst().setPort(1234);
            return s;
        });

        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment("researcher");
            assertThat(d.getSpec().getReplicas()).isEqualTo(1);
            assertThat(runtimeContainer(d).getImage()).isEqualTo("example.com/agent:1");
            assertThat(service("researcher").getSpec().getPorts().getFirst().getPort()).isEqualTo(9000);
        });
        assertThat(deployment("researcher").getSpec().getTemplate().getMetadata().getAnnotations())
                .as("kubectl rollout restart survives the repair").containsEntry(RuntimeObjects.RESTARTED_AT, "2026-11-25T10:00:00Z");
    }

    @Test
    void templateChangeRollsOutAndRemovingTheTemplateRemovesTheRuntime() {
        provisioned("researcher", RUNTIME);
        awaitDeployment("researcher");

        workspaces.editSpec("researcher", s -> s.setTemplate(template(RUNTIME.replace("agent:1", "agent:2"))));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(runtimeContainer(deployment("researcher")).getImage()).isEqualTo("example.com/agent:2");
            assertThat(workspaces.get("researcher").getStatus().getProvisioning().image()).isEqualTo("example.com/agent:2");
        });

        workspaces.editSpec("researcher", s -> {
            s.setTemplate(null);
            s.setUrl("http://agent.elsewhere:8000/a2a");
        });
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment("researcher")).isNull();
            assertThat(service("researcher")).isNull();
            assertThat(workspaces.get("researcher").getStatus().getProvisioning()).isEqualTo(ProvisioningStatus.EXTERNAL);
        });
    }

    @Test
    void recreatedTokenRollsThePodsOntoTheNewToken() {
        provisioned("researcher", RUNTIME);
        String before = awaitDeployment("researcher").getSpec().getTemplate().getMetadata().getAnnotations()
                .get(RuntimeObjects.TOKEN_HASH_ANNOTATION);
        assertThat(before).isEqualTo(TokenSecrets.sha256(TokenSecrets.token(client().secrets().inNamespace(namespace())
                .withName(TokenSecrets.name("researcher")).get())));

        client().secrets().inNamespace(namespace()).withName(TokenSecrets.name("researcher")).delete();

        await().atMost(WAIT).untilAsserted(() -> assertThat(deployment("researcher").getSpec().getTemplate().getMetadata().getAnnotations()
                .get(RuntimeObjects.TOKEN_HASH_ANNOTATION)).isNotEqualTo(before).isEqualTo(workspaces.get("researcher").getStatus().getTokenSha256()));
    }

    @Test
    void templateThatIsNotAPodSpecIsInvalidAndCreatesNothing() {
        provisioned("researcher", """
                {"containers": "agent"}""");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready("researcher").reason()).isEqualTo("InvalidTemplate");
            assertThat(ready("researcher").message()).startsWith("spec.template.spec is not a pod spec");
        });
        assertThat(deployment("researcher")).isNull();
        assertThat(service("researcher")).isNull();
    }
}
