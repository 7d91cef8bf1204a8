package dev.tether.provisioning;

import dev.tether.api.Workspace;
import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The workspace's Deployment, kept as {@link RuntimeObjects} describes it: JOSDK's matcher compares only what we set
 * (so defaults the API server adds, and a restart annotation, are no drift) and an update restores the rest.
 */
final class RuntimeDeployment extends NamedAfterWorkspace<Deployment> {
    private final ProvisioningSettings settings;

    RuntimeDeployment(ProvisioningSettings settings) {
        super(Deployment.class, "runtime-deployments");
        this.settings = settings;
    }

    private static final String REPLICAS = "tether.replicas";

    /** The replicas this reconcile decided on, for {@link #desired}: suspension and hibernation are decided before provisioning. */
    static void askFor(Context<Workspace> context, int replicas) {
        context.managedWorkflowAndDependentResourceContext().put(REPLICAS, replicas);
    }

    @Override
    protected Deployment desired(Workspace ws, Context<Workspace> context) {
        String token = context.getSecondaryResource(Secret.class).map(TokenSecrets::token)
                .orElseThrow(() -> new IllegalStateException("provisioning " + ws.getMetadata().getName() + " before its token exists"));
        return RuntimeObjects.deployment(ws, RuntimeObjects.podSpec(ws, context.getClient().getKubernetesSerialization()),
                TokenSecrets.sha256(token), getSecondaryResource(ws, context).orElse(null), settings,
                context.managedWorkflowAndDependentResourceContext().getMandatory(REPLICAS, Integer.class));
    }
}
