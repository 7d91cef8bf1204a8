package dev.tether.kube;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** The Workspace CRD exactly as the build generated it from {@code dev.tether.api}. */
public final class WorkspaceCrd {
    /** Where crd-generator-maven-plugin writes the CRD inside the jar. */
    public static final String RESOURCE = "/META-INF/fabric8/" + Workspace.CRD_NAME + "-v1.yml";

    private WorkspaceCrd() {
    }

    public static CustomResourceDefinition load(KubernetesClient client) {
        try (InputStream in = WorkspaceCrd.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("generated CRD " + RESOURCE + " is missing from the classpath; build with ./mvnw package");
            }
            return client.apiextensions().v1().customResourceDefinitions().load(in).item();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read generated CRD " + RESOURCE, e);
        }
    }

    /** Creates or updates the CRD and waits until the API server serves it. */
    public static void install(KubernetesClient client) {
        CustomResourceDefinition crd = load(client);
        // Create, else update: no server-side apply anywhere (the mock API server answers it with 415).
        client.resource(crd).createOr(NonDeletingOperation::update);
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(WorkspaceCrd::established, 30, TimeUnit.SECONDS);
    }

    private static boolean established(CustomResourceDefinition crd) {
        if (crd == null || crd.getStatus() == null || crd.getStatus().getConditions() == null) {
            // The mock API server has no controller to set conditions; existence is all it offers.
            return crd != null;
        }
        return crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
