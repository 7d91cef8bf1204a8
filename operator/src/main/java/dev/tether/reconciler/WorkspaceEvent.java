package dev.tether.reconciler;

/** A Kubernetes Event worth recording about a Workspace (never carries a secret). */
public record WorkspaceEvent(String type, String reason, String message) {
    static WorkspaceEvent normal(String reason, String message) {
        return new WorkspaceEvent("Normal", reason, message);
    }

    static WorkspaceEvent warning(String reason, String message) {
        return new WorkspaceEvent("Warning", reason, message);
    }
}
