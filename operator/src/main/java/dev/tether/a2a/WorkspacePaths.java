package dev.tether.a2a;

import dev.tether.api.WorkspaceId;

/**
 * Where a workspace is reached through the proxy, relative to the platform's base URL: its JSON-RPC endpoint
 * {@code /workspaces/{ns}/{name}/a2a} and its HTTP+JSON base {@code /workspaces/{ns}/{name}/rest}. The proxy routes by
 * these paths; cards and discovery answers name them.
 */
public final class WorkspacePaths {
    public static final String PREFIX = "/workspaces/";
    public static final String JSONRPC_SUFFIX = "/a2a";
    public static final String REST_SUFFIX = "/rest";

    private WorkspacePaths() {
    }

    public static String jsonRpc(WorkspaceId id) {
        return PREFIX + id.namespace() + "/" + id.name() + JSONRPC_SUFFIX;
    }

    public static String rest(WorkspaceId id) {
        return PREFIX + id.namespace() + "/" + id.name() + REST_SUFFIX;
    }

    /** The proxy's endpoint of each transport for {@code id}, under {@code base} (no trailing slash). */
    public static AgentCardRewriter.Endpoints endpoints(String base, WorkspaceId id) {
        return new AgentCardRewriter.Endpoints(base + jsonRpc(id), base + rest(id));
    }
}
