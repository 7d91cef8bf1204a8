package dev.tether.discovery;

import dev.tether.a2a.WorkspacePaths;
import dev.tether.api.WorkspaceId;
import org.eclipse.jetty.server.Request;

/**
 * Where a workspace is reached through Tether: {@code <platform>/workspaces/{ns}/{name}/a2a}, never the agent's own
 * address. The platform base is {@code --platform-url}; without it, the base the caller used (the proxy relaying
 * {@code /registry/*} sets {@code X-Forwarded-Proto/-Host}). Trusting those headers here is safe: the answer goes
 * only to the authenticated caller that sent them.
 */
final class PlatformUrls {
    private final String configured;

    /** @param configured {@code --platform-url} without a trailing slash, or null */
    PlatformUrls(String configured) {
        this.configured = configured;
    }

    /** The platform's base URL as seen by this request's caller. */
    String base(Request request) {
        if (configured != null) {
            return configured;
        }
        String proto = first(request.getHeaders().get("X-Forwarded-Proto"));
        String host = first(request.getHeaders().get("X-Forwarded-Host"));
        return (proto != null ? proto : request.getHttpURI().getScheme()) + "://" + (host != null ? host : request.getHttpURI().getAuthority());
    }

    static String dispatchUrl(String base, WorkspaceId id) {
        return base + WorkspacePaths.jsonRpc(id);
    }

    private static String first(String header) {
        if (header == null) {
            return null;
        }
        String value = header.split(",")[0].trim();
        return value.isEmpty() ? null : value;
    }
}
