package dev.tether.api;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A workspace's identity, {@code namespace/name}: how routes, runtimes ({@code workspace_id}), callers
 * ({@code X-Workspace-ID}), logs, metrics and error bodies name it. A bare {@code name} means the
 * default namespace.
 */
public record WorkspaceId(String namespace, String name) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** The longest id: a namespace (63), the slash and a name (253). */
    public static final int MAX_LENGTH = 63 + 1 + 253;

    public static WorkspaceId of(Workspace workspace) {
        return new WorkspaceId(workspace.getMetadata().getNamespace(), workspace.getMetadata().getName());
    }

    /** {@code namespace/name}, or a bare {@code name} in {@code defaultNamespace}; empty when either is not a DNS name. */
    public static Optional<WorkspaceId> parse(String id, String defaultNamespace) {
        if (id == null) {
            return Optional.empty();
        }
        int slash = id.indexOf('/');
        return of(slash < 0 ? defaultNamespace : id.substring(0, slash), slash < 0 ? id : id.substring(slash + 1));
    }

    /** The id of {@code name} in {@code namespace}; empty when either is not a valid DNS name. */
    public static Optional<WorkspaceId> of(String namespace, String name) {
        if (!LABEL.matcher(namespace).matches() || name.length() > 253 || !SUBDOMAIN.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of(new WorkspaceId(namespace, name));
    }

    /** The id as a runtime in this platform names it: the bare name in {@code defaultNamespace}, else {@code namespace/name}. */
    public String shortForm(String defaultNamespace) {
        return namespace.equals(defaultNamespace) ? name : toString();
    }

    /** Another workspace in the same namespace. */
    public WorkspaceId sibling(String otherName) {
        return new WorkspaceId(namespace, otherName);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
