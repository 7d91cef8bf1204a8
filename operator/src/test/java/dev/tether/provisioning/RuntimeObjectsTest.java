package dev.tether.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.api.PodTemplate;
import dev.tether.api.PodTemplateMetadata;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Deployment built from a template, without an API server: what Tether injects and what wins. */
class RuntimeObjectsTest {
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final ProvisioningSettings SETTINGS = new ProvisioningSettings("team-a", "http://tether:8090", "default");

    static Workspace workspace(String namespace, String podSpecJson, Map<String, String> podLabels) throws Exception {
        Workspace ws = new Workspace();
        ws.getMetadata().setName("researcher");
        ws.getMetadata().setNamespace(namespace);
        ws.getMetadata().setUid("uid-1");
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setTemplate(new PodTemplate(new PodTemplateMetadata(podLabels, null), new ObjectMapper().readTree(podSpecJson)));
        return ws;
    }

    static Deployment deployment(Workspace ws, ProvisioningSettings settings, Deployment current) {
        PodSpec spec = RuntimeObjects.podSpec(ws, SERIALIZATION);
        return RuntimeObjects.deployment(ws, spec, "hash", current, settings, 1);
    }

    static Map<String, String> env(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void workspaceIdIsTheBareNameInTheDefaultNamespaceAndQualifiedElsewhere() throws Exception {
        String spec = "{\"containers\": [{\"name\": \"a\", \"image\": \"i\"}]}";
        assertThat(env(deployment(workspace("team-a", spec, null), SETTINGS, null))).containsEntry("WORKSPACE_ID", "researcher");
        assertThat(env(deployment(workspace("team-b", spec, null), SETTINGS, null))).containsEntry("WORKSPACE_ID", "team-b/researcher");
    }

    @Test
    void noPlatformUrlConfiguredInjectsNone() throws Exception {
        Deployment d = deployment(workspace("team-a", "{\"containers\": [{\"name\": \"a\", \"image\": \"i\"}]}", null),
                new ProvisioningSettings("team-a", null, "default"), null);
        assertThat(env(d)).doesNotContainKey("PLATFORM_URL").containsKeys("WORKSPACE_ID", "A2A_PORT");
    }

    @Test
    void tethersLabelsVolumeAndMountWinAndOnlyTheFirstContainerIsTouched() throws Exception {
        Workspace ws = workspace("team-a", """
                {"containers": [
                   {"name": "agent", "image": "i", "volumeMounts": [{"name": "mine", "mountPath": "/configs/.auth_token"},
                                                                   {"name": "data", "mountPath": "/data"}]},
                   {"name": "sidecar", "image": "s"}],
                 "volumes": [{"name": "tether-token", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]}""",
                Map.of("app.kubernetes.io/name", "mine", "team", "research"));
        Deployment d = deployment(ws, SETTINGS, null);
        PodSpec pod = d.getSpec().getTemplate().getSpec();

        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "tether-workspace")
                .containsEntry("team", "research");
        assertThat(pod.getContainers().getFirst().getVolumeMounts()).extracting(m -> m.getName() + " " + m.getMountPath())
                .containsExactly("data /data", "tether-token /configs/.auth_token");
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("data", "tether-token");
        assertThat(pod.getVolumes().get(1).getSecret().getSecretName()).isEqualTo("researcher-tether-token");
        assertThat(pod.getContainers().get(1).getEnv()).as("sidecars are the user's").isNullOrEmpty();
        assertThat(RuntimeObjects.podSpec(ws, SERIALIZATION).getVolumes()).as("the template itself is not modified").hasSize(2)
                .first().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @Test
    void aRestartRequestedOnTheDeploymentIsCarriedOver() throws Exception {
        Workspace ws = workspace("team-a", "{\"containers\": [{\"name\": \"a\", \"image\": \"i\"}]}", null);
        Deployment current = deployment(ws, SETTINGS, null);
        current.getSpec().getTemplate().getMetadata().getAnnotations().put(RuntimeObjects.RESTARTED_AT, "2026-11-25T10:00:00Z");
        assertThat(deployment(ws, SETTINGS, current).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(RuntimeObjects.RESTARTED_AT, "2026-11-25T10:00:00Z")
                .containsEntry(RuntimeObjects.TOKEN_HASH_ANNOTATION, "hash");
    }

    @Test
    void aTemplateWithoutContainersIsInvalidNamingTheField() throws Exception {
        assertThatThrownBy(() -> RuntimeObjects.podSpec(workspace("team-a", "{\"containers\": []}", null), SERIALIZATION))
                .isInstanceOf(InvalidTemplateException.class).hasMessageContaining("spec.template.spec.containers");
        assertThatThrownBy(() -> RuntimeObjects.podSpec(workspace("team-a", "{\"containers\": [{\"ports\": \"many\"}]}", null), SERIALIZATION))
                .isInstanceOf(InvalidTemplateException.class).hasMessageStartingWith("spec.template.spec is not a pod spec");
    }
}
