package dev.tether.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Provisioning on a real kube-apiserver, which also validates the Deployment built from the template. */
@RealApiTest
class ProvisioningOnRealApiTest extends ProvisioningContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    protected KubeTier kube() {
        return kube;
    }

    @Test
    void templateTheApiServerRefusesIsInvalidWithItsMessageAndChangesNothing() {
        provisioned("researcher", """
                {"containers": [{"name": "agent"}]}""");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready("researcher").reason()).isEqualTo("InvalidTemplate");
            assertThat(ready("researcher").message()).contains("spec.template.spec.containers[0].image").contains("Required value");
        });
        assertThat(deployment("researcher")).isNull();
        assertThat(service("researcher")).isNull();

        workspaces.editSpec("researcher", s -> s.setTemplate(template(RUNTIME)));
        awaitDeployment("researcher");
        await().atMost(WAIT).until(() -> service("researcher") != null);
        String version = deployment("researcher").getMetadata().getResourceVersion();

        workspaces.editSpec("researcher", s -> s.setTemplate(template(RUNTIME.replace("\"containerPort\": 9000", "\"containerPort\": 99999"))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(ready("researcher").message()).contains("containerPort"));
        assertThat(deployment("researcher").getMetadata().getResourceVersion()).as("the running Deployment is untouched").isEqualTo(version);
        assertThat(service("researcher").getSpec().getPorts().getFirst().getPort()).isEqualTo(9000);
    }

    /** The mock API answers a create of an existing name by replacing it; a real API server refuses it (409). */
    @Test
    void aDeploymentOfTheSameNameThatIsNotTheWorkspacesIsLeftAloneAndSaidSo() {
        client().resource(new DeploymentBuilder().withNewMetadata().withName("researcher").withNamespace(namespace()).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "theirs").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "theirs").endMetadata()
                .withNewSpec().addNewContainer().withName("theirs").withImage("theirs:1").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();

        provisioned("researcher", RUNTIME);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready("researcher").reason()).isEqualTo("NameTaken");
            assertThat(ready("researcher").message()).contains("researcher").contains("already exists");
        });
        Deployment theirs = deployment("researcher");
        assertThat(theirs.getSpec().getReplicas()).isEqualTo(2);
        assertThat(runtimeContainer(theirs).getImage()).isEqualTo("theirs:1");
        assertThat(theirs.getMetadata().getOwnerReferences()).isNullOrEmpty();
    }
}
