package dev.tether.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import dev.tether.testing.RepoFiles;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generated CRD on a real kube-apiserver: accepted, and its schema rejects bad Workspaces. */
@RealApiTest
class WorkspaceSchemaRealApiTest {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Test
    void generatedCrdIsEstablished() {
        CustomResourceDefinition crd = kube.client().apiextensions().v1().customResourceDefinitions()
                .withName(Workspace.CRD_NAME).get();
        assertThat(crd.getStatus().getConditions())
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Established");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
    }

    @Test
    void documentedExampleIsAcceptedWithDefaultsApplied() {
        Workspace example = Serialization.unmarshal(RepoFiles.read("docs/examples/workspace.yaml"), Workspace.class);
        example.getSpec().setMaxConcurrentTasks(null);

        Workspace created = kube.client().resource(example).inNamespace(kube.namespace()).create();

        assertThat(created.getSpec().getUrl()).isEqualTo("http://researcher.team-a.svc:8000/a2a");
        assertThat(created.getSpec().getDispatch().maxIdleTimeoutSeconds()).isEqualTo(1800);
        assertThat(created.getSpec().getMaxConcurrentTasks()).as("schema default").isEqualTo(1);
    }

    @Test
    void statusIsOnlyWritableThroughTheStatusSubresource() {
        Workspace ws = new Workspace();
        ws.getMetadata().setName("ws");
        ws.setSpec(new WorkspaceSpec());
        ws = kube.client().resource(ws).inNamespace(kube.namespace()).create();
        WorkspaceStatus status = new WorkspaceStatus();
        status.setPhase(WorkspacePhase.Online);
        ws.setStatus(status);

        ws = kube.client().resource(ws).inNamespace(kube.namespace()).update();
        assertThat(ws.getStatus()).isNull();
        assertThat(kube.client().resources(Workspace.class).inNamespace(kube.namespace()).withName("ws").get().getStatus())
                .as("status sent through the main resource is dropped").isNull();

        ws.setStatus(status);
        kube.client().resource(ws).inNamespace(kube.namespace()).patchStatus();
        assertThat(kube.client().resources(Workspace.class).inNamespace(kube.namespace()).withName("ws").get()
                .getStatus().getPhase()).isEqualTo(WorkspacePhase.Online);
    }

    @ParameterizedTest(name = "rejects {0}")
    @CsvSource(delimiter = '|', textBlock = """
            zero idle timeout          | {"dispatch": {"idleTimeoutSeconds": 0}}            | spec.dispatch.idleTimeoutSeconds
            negative idle timeout      | {"dispatch": {"idleTimeoutSeconds": -5}}           | spec.dispatch.idleTimeoutSeconds
            idle timeout above a day   | {"dispatch": {"idleTimeoutSeconds": 86401}}        | spec.dispatch.idleTimeoutSeconds
            zero max idle timeout      | {"dispatch": {"maxIdleTimeoutSeconds": 0}}         | spec.dispatch.maxIdleTimeoutSeconds
            negative ceiling           | {"dispatch": {"maxDurationSeconds": -1}}           | spec.dispatch.maxDurationSeconds
            string timeout             | {"dispatch": {"idleTimeoutSeconds": "600"}}        | spec.dispatch.idleTimeoutSeconds
            fractional timeout         | {"dispatch": {"idleTimeoutSeconds": 1.5}}          | spec.dispatch.idleTimeoutSeconds
            non-URL url                | {"url": "not a url"}                               | spec.url
            ftp url                    | {"url": "ftp://agent/a2a"}                         | spec.url
            url without host           | {"url": "http://"}                                 | spec.url
            zero concurrent tasks      | {"maxConcurrentTasks": 0}                          | spec.maxConcurrentTasks
            negative budget            | {"budgetLimitCents": -1}                           | spec.budgetLimitCents
            parentRef not a name       | {"parentRef": "Not_A_Name"}                        | spec.parentRef
            dispatch not an object     | {"dispatch": 300}                                  | spec.dispatch
            template without spec      | {"template": {"metadata": {}}}                     | spec.template.spec
            template label not string  | {"template": {"metadata": {"labels": {"a": 1}}, "spec": {}}} | spec.template.metadata.labels
            suspend not a boolean      | {"suspend": "yes"}                                 | spec.suspend
            """)
    void invalidWorkspaceIsRejectedBySchemaValidation(String description, String spec, String field) {
        assertThatThrownBy(() -> kube.client().resource(workspace(spec)).inNamespace(kube.namespace()).create())
                .as(description)
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains(field);
                });
        assertThat(kube.client().resources(Workspace.class).inNamespace(kube.namespace()).list().getItems())
                .as("nothing stored").isEmpty();
    }

    /** A Workspace named "ws" with the given raw spec JSON, so wrong types reach the server as typed. */
    private static GenericKubernetesResource workspace(String specJson) {
        return Serialization.unmarshal("""
                {"apiVersion": "tether.dev/v1alpha1", "kind": "Workspace",
                 "metadata": {"name": "ws"}, "spec": %s}""".formatted(specJson), GenericKubernetesResource.class);
    }
}
