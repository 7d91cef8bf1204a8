package dev.tether.proxy.callers;

import dev.tether.access.CallerRules;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.BearerTokens;
import dev.tether.http.HttpError;
import dev.tether.proxy.forwarding.Ceiling;
import dev.tether.proxy.routing.WorkspaceDirectory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a request may reach a workspace, from the informer cache alone (the proxy never reads Secrets), and
 * consumes Tether's own credential so it never reaches the agent:
 * <ul>
 * <li>an agent-to-agent call names its caller in {@code X-Workspace-ID} and presents that workspace's token, checked
 *     against the caller's {@code status.tokenSha256}; the hierarchy rule of {@link CallerRules} then says whether the
 *     caller may reach the target;</li>
 * <li>a canvas call (no caller) passes, or presents the canvas token when one is configured.</li>
 * </ul>
 * Tether's token comes in {@code Proxy-Authorization: Bearer} (the header meant for a proxy), and then the caller's
 * own {@code Authorization} passes to the agent untouched; or, as before, in {@code Authorization}, which is then
 * consumed. With no Tether token to check (an open canvas call), {@code Authorization} is the agent's.
 *
 * <p>Answers: 400 for an unreadable caller id, 401 for missing or wrong credentials (an unknown caller, one without a
 * published hash and a wrong token look the same), 403 for a reserved caller id or a caller outside the target's
 * hierarchy.
 */
public final class CallerAuthorization {
    private static final String PROXY_AUTHORIZATION = HttpHeaderNames.PROXY_AUTHORIZATION.toString();
    private static final String AUTHORIZATION = HttpHeaderNames.AUTHORIZATION.toString();

    private final WorkspaceDirectory directory;
    private final String defaultNamespace;
    private final String canvasTokenSha256;

    public CallerAuthorization(WorkspaceDirectory directory, String defaultNamespace, String canvasTokenSha256) {
        this.directory = directory;
        this.defaultNamespace = defaultNamespace;
        this.canvasTokenSha256 = canvasTokenSha256;
    }

    /**
     * The authenticated caller (empty for a canvas call), having removed the Tether credential it used from
     * {@code headers}; or the {@link HttpError} the request must end with.
     */
    public Optional<WorkspaceId> authorize(HttpHeaders headers, WorkspaceId target) {
        CallerRules.CallerId id = CallerRules.callerId(headers.get(Ceiling.CALLER_HEADER), defaultNamespace);
        return switch (id) {
            case CallerRules.Canvas canvas -> {
                if (canvasTokenSha256 != null && !CallerRules.tokenMatches(takeToken(headers, "canvas token"), canvasTokenSha256)) {
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
                String presented = takeToken(headers, "token of workspace " + agent.workspace());
                String published = directory.find(agent.workspace()).map(Workspace::getStatus).map(s -> s.getTokenSha256()).orElse(null);
                if (!CallerRules.tokenMatches(presented, published)) {
                    throw BearerTokens.unauthorized("invalid token for calling workspace '" + agent.workspace() + "'");
                }
                if (!CallerRules.mayCall(agent.workspace(), target, this::parentOf)) {
                    throw new HttpError(403, "workspace " + agent.workspace() + " may not call workspace " + target
                            + ": callers reach themselves, their siblings, ancestors and descendants in the same namespace (spec.parentRef)",
                            Map.of("workspace", target.toString(), "caller", agent.workspace().toString()), Map.of());
                }
                yield Optional.of(agent.workspace());
            }
        };
    }

    /** Tether's bearer token: from Proxy-Authorization when sent (Authorization then stays the agent's), else Authorization. */
    private static String takeToken(HttpHeaders headers, String what) {
        String header = headers.contains(PROXY_AUTHORIZATION) ? PROXY_AUTHORIZATION : AUTHORIZATION;
        String token = BearerTokens.require(headers.getAll(header), header, what);
        headers.remove(header);
        return token;
    }

    private Optional<String> parentOf(WorkspaceId workspace) {
        return directory.find(workspace)
                .map(ws -> ws.getSpec() == null ? null : ws.getSpec().getParentRef())
                .filter(parent -> !parent.isBlank());
    }
}
