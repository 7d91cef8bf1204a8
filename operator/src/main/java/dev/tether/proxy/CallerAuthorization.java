package dev.tether.proxy;

import dev.tether.access.CallerRules;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.BearerTokens;
import dev.tether.http.HttpError;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Request;

/**
 * Decides whether a request may reach a workspace, from the informer cache alone (the proxy never
 * reads Secrets): an agent-to-agent call names its caller in {@code X-Workspace-ID} and presents that
 * workspace's token, checked against the caller's {@code status.tokenSha256}; the hierarchy rule of
 * {@link CallerRules} then says whether the caller may reach the target. A canvas call (no caller)
 * passes, or must present the canvas token when one is configured. The caller's Authorization header
 * is never forwarded ({@link HeaderPolicy}).
 *
 * <p>Answers: 400 for an unreadable caller id, 401 for missing or wrong credentials (an unknown caller,
 * one without a published hash and a wrong token look the same), 403 for a reserved caller id or a
 * caller outside the target's hierarchy.
 */
final class CallerAuthorization {
    private final WorkspaceDirectory directory;
    private final String defaultNamespace;
    private final String canvasTokenSha256;

    CallerAuthorization(WorkspaceDirectory directory, ProxySettings settings) {
        this.directory = directory;
        this.defaultNamespace = settings.defaultNamespace();
        this.canvasTokenSha256 = settings.canvasTokenSha256();
    }

    /** The authenticated caller (empty for a canvas call), or the HttpError the request must end with. */
    Optional<WorkspaceId> authorize(Request request, WorkspaceId target) {
        CallerRules.CallerId id = CallerRules.callerId(request.getHeaders().get(Ceiling.CALLER_HEADER), defaultNamespace);
        return switch (id) {
            case CallerRules.Canvas canvas -> {
                if (canvasTokenSha256 != null
                        && !CallerRules.tokenMatches(BearerTokens.require(request, "canvas token"), canvasTokenSha256)) {
                    throw BearerTokens.unauthorized("invalid canvas token");
                }
                yield Optional.empty();
            }
            case CallerRules.Reserved reserved -> throw new HttpError(403, Ceiling.CALLER_HEADER + " '" + reserved.prefix()
                    + "...' is reserved for Tether's own traffic and is not accepted from callers", Map.of("workspace", target.toString()),
                    Map.of());
            case CallerRules.Malformed malformed -> throw new HttpError(400, Ceiling.CALLER_HEADER
                    + " must name the calling workspace as 'namespace/name' or 'name' (lower-case DNS names)");
            case CallerRules.Agent agent -> {
                authenticate(request, agent.workspace());
                if (!CallerRules.mayCall(agent.workspace(), target, this::parentOf)) {
                    throw new HttpError(403, "workspace " + agent.workspace() + " may not call workspace " + target
                            + ": callers reach themselves, their siblings, ancestors and descendants in the same namespace (spec.parentRef)",
                            Map.of("workspace", target.toString(), "caller", agent.workspace().toString()), Map.of());
                }
                yield Optional.of(agent.workspace());
            }
        };
    }

    private void authenticate(Request request, WorkspaceId caller) {
        String presented = BearerTokens.require(request, "token of workspace " + caller);
        String published = directory.find(caller).map(Workspace::getStatus).map(s -> s.getTokenSha256()).orElse(null);
        if (!CallerRules.tokenMatches(presented, published)) {
            throw BearerTokens.unauthorized("invalid token for calling workspace '" + caller + "'");
        }
    }

    private Optional<String> parentOf(WorkspaceId workspace) {
        return directory.find(workspace)
                .map(ws -> ws.getSpec() == null ? null : ws.getSpec().getParentRef())
                .filter(parent -> !parent.isBlank());
    }
}
