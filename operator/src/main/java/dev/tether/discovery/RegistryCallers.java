package dev.tether.discovery;

import dev.tether.api.WorkspaceId;
import dev.tether.heartbeat.RegistryContext;
import dev.tether.heartbeat.RegistryErrors;
import dev.tether.http.BearerTokens;
import org.eclipse.jetty.server.Request;

/** Authenticates a registry call with a workspace token, exactly as heartbeats are. */
final class RegistryCallers {
    private final RegistryContext registry;

    RegistryCallers(RegistryContext registry) {
        this.registry = registry;
    }

    /**
     * The one of {@code candidates} whose token the request carries, or a 401 that does not say which workspaces
     * exist (unknown workspace, missing Secret and wrong token look the same); 503 until the caches have loaded.
     */
    WorkspaceId authenticate(Request request, WorkspaceId... candidates) {
        String token = BearerTokens.require(request);
        if (!registry.caches().synced()) {
            throw RegistryErrors.unavailable("Tether is starting and has not loaded workspaces yet");
        }
        for (WorkspaceId candidate : candidates) {
            if (candidate != null && registry.caches().authenticates(candidate, token)) {
                return candidate;
            }
        }
        throw BearerTokens.unauthorized("the token is not that of " + (candidates.length == 1 ? "workspace '" + candidates[0] + "'"
                : "either workspace named"));
    }
}
