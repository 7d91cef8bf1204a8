package dev.tether.proxy.admission;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.WorkspaceDirectory;
import java.util.Map;

/** The workspace a request names, and where its agent is, or the refusal that says which is missing. */
public final class WorkspaceLookup {
    private WorkspaceLookup() {
    }

    /** The cached Workspace, or 404 (unknown here, or in a namespace this proxy does not serve), or 503 before the cache loaded. */
    public static Workspace find(WorkspaceDirectory directory, WorkspaceId key) {
        if (!directory.serves(key.namespace())) {
            throw new HttpError(404, "namespace " + key.namespace() + " is not served by this proxy (it serves "
                    + directory.describeScope() + ")", Map.of("workspace", key.toString()), Map.of());
        }
        return directory.find(key).orElseThrow(() -> directory.isSynced()
                ? new HttpError(404, "no workspace " + key, Map.of("workspace", key.toString()), Map.of())
                : new HttpError(503, "the proxy is still loading workspaces; retry shortly", Map.of("workspace", key.toString()),
                        Map.of("Retry-After", "1")));
    }

    /** The agent's URL, or the 503 that says none is known (or that the one set is unusable). */
    public static Upstream upstream(EnforcedPolicy policy) {
        return policy.upstream().orElseThrow(() -> new HttpError(503, policy.url() == null
                ? "workspace " + policy.workspace() + " has no URL: set spec.url or let the runtime register one"
                : "workspace " + policy.workspace() + " has an unusable URL '" + policy.url() + "' (not http or https)",
                Map.of("workspace", policy.workspace().toString()), Map.of()));
    }
}
