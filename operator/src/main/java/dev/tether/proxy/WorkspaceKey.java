package dev.tether.proxy;

import dev.tether.api.Workspace;

/** A workspace's identity, {@code namespace/name}, as routes, logs, metrics and error bodies name it. */
record WorkspaceKey(String namespace, String name) {
    static WorkspaceKey of(Workspace workspace) {
        return new WorkspaceKey(workspace.getMetadata().getNamespace(), workspace.getMetadata().getName());
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
