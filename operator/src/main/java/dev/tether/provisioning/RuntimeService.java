package dev.tether.provisioning;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** The workspace's Service, kept as {@link RuntimeObjects} describes it. */
final class RuntimeService extends NamedAfterWorkspace<Service> {
    RuntimeService() {
        super(Service.class, "runtime-services");
    }

    /** Keeps the cluster IP the API server assigned: it cannot change, and an update without it is refused. */
    @Override
    protected Service desired(Workspace ws, Context<Workspace> context) {
        Service desired = RuntimeObjects.service(ws, RuntimeObjects.podSpec(ws, context.getClient().getKubernetesSerialization()));
        getSecondaryResource(ws, context).map(Service::getSpec).ifPresent(current -> {
            desired.getSpec().setClusterIP(current.getClusterIP());
            desired.getSpec().setClusterIPs(current.getClusterIPs());
        });
        return desired;
    }
}
