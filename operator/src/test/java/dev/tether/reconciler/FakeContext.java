package dev.tether.reconciler;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The part of JOSDK's {@link Context} that {@link WorkspaceReconciler} uses, so a test can call
 * {@code reconcile} itself: the client, and the workspace's token Secret, Deployment and Service as the
 * informers would hand them over (read from the API here). Anything else fails loudly.
 */
final class FakeContext implements Context<Workspace> {
    private final KubernetesClient client;
    private final Workspace primary;

    FakeContext(KubernetesClient client, Workspace primary) {
        this.client = client;
        this.primary = primary;
    }

    @Override
    public KubernetesClient getClient() {
        return client;
    }

    @Override
    public Workspace getPrimaryResource() {
        return primary;
    }

    @Override
    public <R> Optional<R> getSecondaryResource(Class<R> type, String eventSourceName) {
        String namespace = primary.getMetadata().getNamespace();
        String name = primary.getMetadata().getName();
        Object found;
        if (type == Secret.class) {
            found = client.secrets().inNamespace(namespace).withName(TokenSecrets.name(primary)).get();
        } else if (type == Deployment.class) {
            found = client.apps().deployments().inNamespace(namespace).withName(name).get();
        } else if (type == Service.class) {
            found = client.services().inNamespace(namespace).withName(name).get();
        } else {
            throw unused("secondary resources of " + type.getSimpleName());
        }
        return Optional.ofNullable(found).map(type::cast);
    }

    @Override
    public <R> Set<R> getSecondaryResources(Class<R> type) {
        return getSecondaryResource(type, null).map(Set::of).orElse(Set.of());
    }

    @Override
    public Optional<RetryInfo> getRetryInfo() {
        return Optional.empty();
    }

    @Override
    public boolean isNextReconciliationImminent() {
        return false;
    }

    @Override
    public boolean isPrimaryResourceDeleted() {
        return false;
    }

    @Override
    public boolean isPrimaryResourceFinalStateUnknown() {
        return false;
    }

    @Override
    public ControllerConfiguration<Workspace> getControllerConfiguration() {
        throw unused("getControllerConfiguration");
    }

    @Override
    public ManagedWorkflowAndDependentResourceContext managedWorkflowAndDependentResourceContext() {
        throw unused("managedWorkflowAndDependentResourceContext");
    }

    @Override
    public EventSourceRetriever<Workspace> eventSourceRetriever() {
        throw unused("eventSourceRetriever");
    }

    @Override
    public ExecutorService getWorkflowExecutorService() {
        throw unused("getWorkflowExecutorService");
    }

    @Override
    public IndexedResourceCache<Workspace> getPrimaryCache() {
        throw unused("getPrimaryCache");
    }

    private static UnsupportedOperationException unused(String what) {
        return new UnsupportedOperationException(what + " is not part of this fake: WorkspaceReconciler did not use it when it was written");
    }
}
