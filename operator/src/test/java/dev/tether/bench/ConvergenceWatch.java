package dev.tether.bench;

import dev.tether.api.Workspace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Workspaces of a namespace have {@code status.dispatch} (the reconciler has resolved their
 * policy), followed through a watch. Listing thousands of Workspaces every poll would load the API
 * server the benchmark is measuring the operator against; a watch costs it one event per write.
 */
final class ConvergenceWatch implements AutoCloseable {
    private final Set<String> converged = ConcurrentHashMap.newKeySet();
    private final SharedIndexInformer<Workspace> informer;

    ConvergenceWatch(KubernetesClient client, String namespace) {
        informer = client.resources(Workspace.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Workspace ws) {
                observe(ws);
            }

            @Override
            public void onUpdate(Workspace before, Workspace now) {
                observe(now);
            }

            @Override
            public void onDelete(Workspace ws, boolean deletedFinalStateUnknown) {
                converged.remove(ws.getMetadata().getName());
            }
        });
    }

    private void observe(Workspace ws) {
        if (ws.getStatus() != null && ws.getStatus().getDispatch() != null) {
            converged.add(ws.getMetadata().getName());
        }
    }

    /** True once the watch has listed what is there: only later writes count as news from then on. */
    boolean synced() {
        return informer.hasSynced();
    }

    /** Workspaces whose {@code status.dispatch} has been written, as far as the watch has seen. */
    int count() {
        return converged.size();
    }

    @Override
    public void close() {
        informer.close();
    }
}
