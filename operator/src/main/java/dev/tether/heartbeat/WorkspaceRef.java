package dev.tether.heartbeat;

import dev.tether.http.HttpError;
import java.util.regex.Pattern;

/** A workspace named by a runtime: {@code namespace/name}, or a bare {@code name} in the default namespace. */
public record WorkspaceRef(String namespace, String name) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public static WorkspaceRef parse(String field, String id, String defaultNamespace) {
        int slash = id.indexOf('/');
        String namespace = slash < 0 ? defaultNamespace : id.substring(0, slash);
        String name = slash < 0 ? id : id.substring(slash + 1);
        if (!LABEL.matcher(namespace).matches() || name.length() > 253 || !SUBDOMAIN.matcher(name).matches()) {
            throw new HttpError(400, "field '" + field + "' must be 'namespace/name' or 'name' (lower-case DNS names), got '"
                    + Heartbeat.shorten(id) + "'");
        }
        return new WorkspaceRef(namespace, name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
