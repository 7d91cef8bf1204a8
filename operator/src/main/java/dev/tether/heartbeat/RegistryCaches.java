package dev.tether.heartbeat;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.kube.NamespacedCache;
import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Consumer;

/**
 * The registry endpoints' view of the cluster: Workspaces and their token Secrets, from informers on
 * every operator replica (not only the leader), so authentication and write economy need no API call.
 */
public final class RegistryCaches implements AutoCloseable {
    private final NamespacedCache<Workspace> workspaces;
    private final NamespacedCache<Secret> tokens;

    public RegistryCaches(KubernetesClient client, List<String> namespaces) {
        workspaces = new NamespacedCache<>(client, c -> c.resources(Workspace.class), namespaces, null);
        tokens = new NamespacedCache<>(client, KubernetesClient::secrets, namespaces, TokenSecrets.SELECTOR);
    }

    public Workspace workspace(WorkspaceId ref) {
        return workspaces.get(ref.namespace(), ref.name());
    }

    /** Every Workspace of a namespace, from the cache. */
    public List<Workspace> workspacesIn(String namespace) {
        return workspaces.inNamespace(namespace);
    }

    /**
     * True when {@code presented} is this workspace's token. Unknown workspace, missing Secret and wrong
     * token are indistinguishable to the caller; the comparison takes the same time wherever it differs.
     */
    public boolean authenticates(WorkspaceId ref, String presented) {
        Secret secret = tokens.get(ref.namespace(), TokenSecrets.name(ref.name()));
        String expected = TokenSecrets.token(secret);
        if (workspace(ref) == null || expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Calls {@code listener} with each Workspace deleted from now on, after the cache has forgotten it; listeners run
     * one at a time, in the order they were added.
     */
    public void onWorkspaceDeleted(Consumer<Workspace> listener) {
        workspaces.onDelete(listener);
    }

    public boolean synced() {
        return workspaces.hasSynced() && tokens.hasSynced();
    }

    @Override
    public void close() {
        workspaces.close();
        tokens.close();
    }
}
