package dev.tether.provisioning;

import dev.tether.api.ProvisioningMode;
import dev.tether.api.ProvisioningStatus;
import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.util.List;
import java.util.Optional;

/**
 * Runs a workspace's runtime from spec.template: keeps its Deployment and Service as described (drift reverted, template
 * changes rolled out), removes them when the template goes, and reports how the Deployment is doing.
 */
public final class Provisioner {
    private static final int UNPROCESSABLE = 422;
    private static final int BAD_REQUEST = 400;
    private static final int CONFLICT = 409;
    private static final String ALREADY_EXISTS = "AlreadyExists";

    private final RuntimeDeployment deployment;
    private final RuntimeService service;

    public Provisioner(ProvisioningSettings settings) {
        deployment = new RuntimeDeployment(settings);
        service = new RuntimeService();
    }

    /** The informers over provisioned Deployments and Services; each maps back to its Workspace by owner reference. */
    public List<EventSource<?, Workspace>> eventSources(EventSourceContext<Workspace> context) {
        return EventSourceUtils.dependentEventSources(context, deployment, service);
    }

    /** Whether the workspace's Deployment, as cached, has an available replica. */
    public boolean available(Workspace ws, Context<Workspace> context) {
        return deployment.getSecondaryResource(ws, context).map(Deployment::getStatus).map(DeploymentStatus::getAvailableReplicas)
                .orElse(0) > 0;
    }

    /**
     * @param replicas   what the Deployment asks for: 1, or 0 while suspended or hibernated
     * @param tokenReady false until the token Secret is in the informer's cache (the Deployment carries its hash): a
     *                   Deployment made before it could not mount it, so nothing is made yet
     */
    public ProvisioningReport reconcile(Workspace ws, Context<Workspace> context, boolean tokenReady, int replicas) {
        if (!ws.provisioned()) {
            deployment.delete(ws, context);
            service.delete(ws, context);
            return ProvisioningReport.EXTERNAL;
        }
        RuntimeDeployment.askFor(context, replicas);
        PodSpec spec;
        try {
            spec = RuntimeObjects.podSpec(ws, context.getClient().getKubernetesSerialization());
        } catch (InvalidTemplateException e) {
            return failed(ws, context, null, replicas, ProvisioningReport.INVALID_TEMPLATE, e.getMessage());
        }
        if (!tokenReady) {
            return report(spec, deployment.getSecondaryResource(ws, context).orElse(null), replicas, null);
        }
        Deployment current;
        try {
            current = deployment.reconcile(ws, context).getSingleResource().orElse(null);
            service.reconcile(ws, context);
        } catch (KubernetesClientException e) {
            // The Service follows the Deployment: a refused template leaves both as they were.
            String reason = e.getCode() == UNPROCESSABLE || e.getCode() == BAD_REQUEST ? ProvisioningReport.INVALID_TEMPLATE
                    : e.getCode() == CONFLICT && e.getStatus() != null && ALREADY_EXISTS.equals(e.getStatus().getReason())
                    ? ProvisioningReport.NAME_TAKEN : null;
            if (reason == null) {
                throw e;
            }
            String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
            return failed(ws, context, spec, replicas, reason, reason.equals(ProvisioningReport.NAME_TAKEN)
                    ? message + "; Tether runs this workspace's runtime under the workspace's name: rename or remove the existing object" : message);
        }
        return report(spec, current, replicas, null);
    }

    /** Reported through the Ready condition and a Warning event when it first appears (not logged on every reconcile). */
    private ProvisioningReport failed(Workspace ws, Context<Workspace> context, PodSpec spec, int replicas, String reason, String message) {
        return report(spec, deployment.getSecondaryResource(ws, context).orElse(null), replicas, new ProvisioningReport.Problem(reason, message));
    }

    private static ProvisioningReport report(PodSpec spec, Deployment current, int replicas, ProvisioningReport.Problem problem) {
        DeploymentStatus observed = current == null ? null : current.getStatus();
        int ready = Optional.ofNullable(observed).map(DeploymentStatus::getReadyReplicas).orElse(0);
        int available = Optional.ofNullable(observed).map(DeploymentStatus::getAvailableReplicas).orElse(0);
        ProvisioningStatus status = new ProvisioningStatus(ProvisioningMode.Provisioned, spec == null ? null : RuntimeObjects.image(spec),
                replicas, ready);
        return new ProvisioningReport(status, problem, available > 0);
    }
}
