package dev.tether.reconciler;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records core/v1 Events on a Workspace, so {@code kubectl describe ws} tells its story. */
final class WorkspaceEvents {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceEvents.class);
    private static final String COMPONENT = "tether-operator";
    private final KubernetesClient client;

    WorkspaceEvents(KubernetesClient client) {
        this.client = client;
    }

    void record(Workspace ws, WorkspaceEvent event) {
        String now = Instant.now().toString();
        String namespace = ws.getMetadata().getNamespace();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(ws.getMetadata().getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
                    .withNamespace(namespace)
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder()
                            .withApiVersion(ws.getApiVersion())
                            .withKind(ws.getKind())
                            .withName(ws.getMetadata().getName())
                            .withNamespace(namespace)
                            .withUid(ws.getMetadata().getUid())
                            .withResourceVersion(ws.getMetadata().getResourceVersion())
                            .build())
                    .withType(event.type())
                    .withReason(event.reason())
                    .withMessage(event.message())
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An event is a courtesy to humans; losing one must not fail the reconcile.
            LOG.atWarn().addKeyValue("workspace", namespace + "/" + ws.getMetadata().getName())
                    .log("could not record event {}: {}", event.reason(), e.getMessage());
        }
    }
}
