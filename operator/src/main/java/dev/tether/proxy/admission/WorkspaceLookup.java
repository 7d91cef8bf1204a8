package dev.tether.proxy.admission;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.WorkspaceDirectory;
import java.net.InetSocketAddress;
import java.util.Map;

/** The workspace a request names, and where its agent is, or the refusal that says which is missing (or that it is suspended). */
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

    /**
     * Where the agent is: spec.url; else a provisioned workspace's next ready endpoint (its pods serve A2A at {@code /} on
     * their {@code a2a} port; the address is vetted like a registered URL's, since it names a pod, not what an admin
     * wrote); else the URL the runtime registered. A suspended workspace, or one with nowhere to send, answers 503.
     */
    public static Upstream upstream(WorkspaceDirectory directory, EnforcedPolicy policy) {
        Map<String, Object> details = Map.of("workspace", policy.workspace().toString());
        if (policy.suspended()) {
            throw new HttpError(503, "workspace " + policy.workspace() + " is suspended (spec.suspend is true); set it to false to "
                    + "dispatch again", Map.of("workspace", policy.workspace().toString(), "reason", "suspended"), Map.of());
        }
        if (policy.url() == null && policy.provisioned()) {
            InetSocketAddress pod = directory.nextReadyEndpoint(policy.workspace()).orElseThrow(() -> new HttpError(503, "workspace "
                    + policy.workspace() + " has no ready replica: its runtime (Deployment " + policy.workspace().name()
                    + ") is starting or not ready; retry shortly", Map.of("workspace", policy.workspace().toString(), "reason", "no_ready_replica"),
                    Map.of("Retry-After", "5")));
            String host = pod.getHostString().contains(":") ? "[" + pod.getHostString() + "]" : pod.getHostString();
            return new Upstream(new Upstream.AgentAddress(false, pod.getHostString(), pod.getPort(), true), "/", host + ":" + pod.getPort());
        }
        return policy.upstream().orElseThrow(() -> new HttpError(503, policy.url() == null
                ? "workspace " + policy.workspace() + " has no URL: set spec.url or let the runtime register one"
                : "workspace " + policy.workspace() + " has an unusable URL '" + policy.url() + "' (not http or https)",
                details, Map.of()));
    }
}
