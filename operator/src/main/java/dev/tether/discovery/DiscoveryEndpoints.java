package dev.tether.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.a2a.AgentCardRewriter;
import dev.tether.a2a.WorkspacePaths;
import dev.tether.access.CallerRules;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.heartbeat.HeartbeatParser;
import dev.tether.heartbeat.RegistryContext;
import dev.tether.heartbeat.RegistryErrors;
import dev.tether.http.HttpError;
import dev.tether.http.JsonEndpoint;
import dev.tether.http.JsonResponses;
import dev.tether.http.RequestBodies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The registry's discovery calls, answered from the Workspace hierarchy ({@code spec.parentRef}) in the informer
 * cache and authenticated with the asking workspace's token like every registry call:
 * <ul>
 * <li>{@code GET /registry/discover/{id}} (caller in {@code X-Workspace-ID}): the target's id, name and proxy URL;
 *     403 outside the caller rules, 404 unknown;</li>
 * <li>{@code GET /registry/{id}/peers[?q=]}: parent, siblings and children of {@code id};</li>
 * <li>{@code POST /registry/check-access {"caller_id", "target_id"}}: the proxy's caller rule, answered.</li>
 * </ul>
 * URLs always point through the proxy, never at an agent's own address.
 */
public final class DiscoveryEndpoints {
    /** Route specs (Jetty path specs) for the operator's server. */
    public static final String DISCOVER_ROUTE = "^/registry/discover/.+$";
    public static final String PEERS_ROUTE = "^/registry/.+/peers$";
    public static final String CHECK_ACCESS_ROUTE = "/registry/check-access";
    private static final String DISCOVER_PREFIX = "/registry/discover/";
    private static final String CALLER_HEADER = "X-Workspace-ID";
    private static final int MAX_CHECK_ACCESS_BODY = 4096;

    private final RegistryContext registry;
    private final RegistryCallers callers;
    private final PlatformUrls platform;

    public DiscoveryEndpoints(RegistryContext registry) {
        this.registry = registry;
        this.callers = new RegistryCallers(registry);
        this.platform = new PlatformUrls(registry.settings().platformUrl());
    }

    public Handler discover() {
        return endpoint("GET", false, "discover", (request, response, callback) -> {
            String path = request.getHttpURI().getCanonicalPath();
            WorkspaceId target = pathId(path.substring(DISCOVER_PREFIX.length()));
            WorkspaceId caller = switch (CallerRules.callerId(request.getHeaders().get(CALLER_HEADER), defaultNamespace())) {
                case CallerRules.Agent agent -> agent.workspace();
                case CallerRules.Canvas canvas -> throw new HttpError(400, CALLER_HEADER + " must name the calling workspace");
                case CallerRules.Reserved reserved -> throw new HttpError(403, CALLER_HEADER + " '" + reserved.prefix()
                        + "...' is reserved for Tether's own traffic");
                case CallerRules.Malformed malformed -> throw new HttpError(400, CALLER_HEADER
                        + " must be 'namespace/name' or 'name' (lower-case DNS names)");
            };
            callers.authenticate(request, caller);
            // Another namespace is out of reach whether or not the target exists: its names are not the caller's to learn.
            if (!caller.namespace().equals(target.namespace())) {
                throw outsideRules(caller, target);
            }
            if (registry.caches().workspace(target) == null) {
                throw new HttpError(404, "no workspace '" + target.shortForm(defaultNamespace()) + "'");
            }
            if (!CallerRules.mayCall(caller, target, this::parentOf)) {
                throw outsideRules(caller, target);
            }
            Map<String, Object> found = new LinkedHashMap<>();
            found.put("id", target.shortForm(defaultNamespace()));
            found.put("url", PlatformUrls.dispatchUrl(platform.base(request), target));
            found.put("name", target.name());
            JsonResponses.send(response, callback, 200, found);
        });
    }

    public Handler peers() {
        return endpoint("GET", false, "peers", (request, response, callback) -> {
            String path = request.getHttpURI().getCanonicalPath();
            WorkspaceId self = pathId(path.substring("/registry/".length(), path.length() - "/peers".length()));
            callers.authenticate(request, self);
            String named = request.getHeaders().get(CALLER_HEADER);
            if (named != null && !named.isBlank() && !WorkspaceId.parse(named.strip(), defaultNamespace()).equals(Optional.of(self))) {
                throw new HttpError(403, "a workspace lists its own peers: " + CALLER_HEADER + " names another workspace than the path");
            }
            Workspace workspace = registry.caches().workspace(self);
            String base = platform.base(request);
            List<Map<String, Object>> peers = Peers.of(workspace, registry.caches().workspacesIn(self.namespace()),
                            Request.extractQueryParameters(request).getValue("q")).stream()
                    .map(peer -> view(peer.workspace(), base)).toList();
            JsonResponses.send(response, callback, 200, peers);
        });
    }

    public Handler checkAccess() {
        return endpoint("POST", true, "check_access", (request, response, callback) -> {
            JsonNode body = HeartbeatParser.readObject(RequestBodies.readBounded(request, MAX_CHECK_ACCESS_BODY));
            String callerText = HeartbeatParser.requiredString(body, "caller_id", WorkspaceId.MAX_LENGTH);
            WorkspaceId target = HeartbeatParser.workspaceId(body, "target_id", defaultNamespace());
            CallerRules.CallerId caller = CallerRules.callerId(callerText, defaultNamespace());
            if (caller instanceof CallerRules.Malformed) {
                throw new HttpError(400, "field 'caller_id' must be 'namespace/name' or 'name' (lower-case DNS names)");
            }
            // Either party may ask: the caller before calling, the target about a call it received.
            callers.authenticate(request, caller instanceof CallerRules.Agent agent ? agent.workspace() : null, target);
            boolean allowed = caller instanceof CallerRules.Agent agent
                    && registry.caches().workspace(agent.workspace()) != null
                    && registry.caches().workspace(target) != null
                    && CallerRules.mayCall(agent.workspace(), target, this::parentOf);
            JsonResponses.send(response, callback, 200, Map.of("allowed", allowed));
        });
    }

    private Map<String, Object> view(Workspace ws, String base) {
        WorkspaceId id = WorkspaceId.of(ws);
        String url = PlatformUrls.dispatchUrl(base, id);
        String parent = Peers.parentOf(ws);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id.shortForm(defaultNamespace()));
        view.put("name", id.name());
        view.put("role", Peers.roleOf(ws));
        view.put("status", ws.getStatus() == null || ws.getStatus().getPhase() == null ? null : ws.getStatus().getPhase().name());
        view.put("url", url);
        view.put("parent_id", parent == null ? null : id.sibling(parent).shortForm(defaultNamespace()));
        Integer active = ws.getStatus() == null || ws.getStatus().getRuntime() == null ? null : ws.getStatus().getRuntime().activeTasks();
        view.put("active_tasks", active == null ? 0 : active);
        JsonNode card = ws.getStatus() == null || ws.getStatus().getRegistration() == null ? null : ws.getStatus().getRegistration().agentCard();
        view.put("agent_card", card instanceof ObjectNode object ? AgentCardRewriter.rewrite(object, WorkspacePaths.endpoints(base, id)) : null);
        return view;
    }

    private Optional<String> parentOf(WorkspaceId id) {
        return Optional.ofNullable(registry.caches().workspace(id)).map(Peers::parentOf);
    }

    private WorkspaceId pathId(String raw) {
        return WorkspaceId.parse(raw, defaultNamespace()).orElseThrow(() -> new HttpError(404,
                "no workspace '" + raw + "': ids are 'namespace/name' or 'name' (lower-case DNS names)"));
    }

    private static HttpError outsideRules(WorkspaceId caller, WorkspaceId target) {
        return new HttpError(403, "workspace " + caller + " may not reach workspace " + target
                + ": callers reach themselves, their siblings, ancestors and descendants in the same namespace (spec.parentRef)");
    }

    private String defaultNamespace() {
        return registry.settings().defaultNamespace();
    }

    /** The body of one endpoint; throws {@link HttpError} for refusals. */
    private interface Serve {
        void serve(Request request, Response response, Callback callback) throws Exception;
    }

    private Handler endpoint(String method, boolean jsonBody, String name, Serve serve) {
        return new JsonEndpoint(Set.of(method), jsonBody) {
            @Override
            protected void serve(Request request, Response response, Callback callback) throws Exception {
                try {
                    serve.serve(request, response, callback);
                    registry.metrics().request(name, "answered");
                } catch (HttpError e) {
                    registry.metrics().request(name, RegistryErrors.result(e));
                    throw e;
                }
            }
        };
    }
}
