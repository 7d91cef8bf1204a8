package dev.tether.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.KubeTier;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Provisioning on a real kube-apiserver, which also validates the Deployment built from the template. */
@RealApiTest
class ProvisioningOnRealApiTest extends ProvisioningContract {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Override
    KubeTier kube() {
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
}
