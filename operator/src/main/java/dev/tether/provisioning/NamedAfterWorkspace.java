package dev.tether.provisioning;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * A resource Tether provisions for a workspace: named after it, labelled {@link RuntimeObjects#SELECTOR} (the informer
 * watches only those, in the operator's namespaces) and owned by it.
 */
abstract class NamedAfterWorkspace<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, Workspace> {
    NamedAfterWorkspace(Class<R> type, String informerName) {
        super(type);
        configureWith(new KubernetesDependentResourceConfigBuilder<R>()
                .withKubernetesDependentInformerConfig(InformerConfiguration.builder(type)
                        .withName(informerName).withLabelSelector(RuntimeObjects.SELECTOR).withNamespacesInheritedFromController().build())
                .build());
    }

    /** By name, so finding the current object never needs the desired one (which is built from the current one). */
    @Override
    protected ResourceID targetSecondaryResourceID(Workspace ws, Context<Workspace> context) {
        return new ResourceID(ws.getMetadata().getName(), ws.getMetadata().getNamespace());
    }
}
