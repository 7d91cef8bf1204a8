package dev.tether.proxy.routing;

import dev.tether.http.HttpError;
import dev.tether.proxy.server.LocalEndpoints;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.server.Router;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the proxy serves, by path: its own {@code /healthz}, {@code /readyz}, {@code /metrics}; {@code /registry/*},
 * relayed to the operator; and under {@code /workspaces/} the JSON-RPC, HTTP+JSON and agent-card routes of
 * {@link WorkspaceRoute}.
 * A path that could mean two things (an encoded slash or backslash) is refused, one with dot segments matches nothing.
 */
public final class ProxyRoutes implements Router {
    /** Makes the handlers of one kind of route. */
    public interface Handlers {
        RequestHandler dispatch(WorkspaceRoute route);

        RequestHandler rest(WorkspaceRoute route);

        RequestHandler card(WorkspaceRoute route);
    }

    /** What the HTTP+JSON transport may ask of an agent; other methods are refused before they reach it. */
    private static final Set<HttpMethod> REST_METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.PATCH, HttpMethod.DELETE);

    private final String defaultNamespace;
    private final LocalEndpoints local;
    private final Function<HttpRequest, RequestHandler> registry;
    private final Handlers workspaces;

    /** @param registry the relay's handler for a request, or one that refuses when the proxy relays nowhere */
    public ProxyRoutes(String defaultNamespace, LocalEndpoints local, Function<HttpRequest, RequestHandler> registry, Handlers workspaces) {
        this.defaultNamespace = defaultNamespace;
        this.local = local;
        this.registry = registry;
        this.workspaces = workspaces;
    }

    @Override
    public RequestHandler route(HttpRequest head) {
        String target = originForm(head.uri());
        String path = path(target);
        if (LocalEndpoints.PATHS.contains(path)) {
            return local.handler(path, head);
        }
        if (path.startsWith("/registry/")) {
            return registry.apply(head);
        }
        WorkspaceRoute route = WorkspaceRoute.parse(path, target, defaultNamespace).orElseThrow(() -> new HttpError(404, "no such endpoint: "
                + head.method() + " " + path + "; dispatch with POST /workspaces/{namespace}/{name}/a2a (JSON-RPC) or under "
                + "/workspaces/{namespace}/{name}/rest (HTTP+JSON), fetch the agent card with "
                + "GET /workspaces/{namespace}/{name}/.well-known/agent-card.json"));
        if (HeaderPolicy.cameThroughTether(head.headers())) {
            throw new HttpError(508, "this call to workspace " + route.workspace() + " already passed through a Tether proxy (Via: "
                    + String.join(", ", head.headers().getAll(HttpHeaderNames.VIA)) + "): a workspace URL leads back to the proxy; "
                    + "point spec.url (or the registered URL) at the agent itself", Map.of("workspace", route.workspace().toString()),
                    Map.of());
        }
        HttpMethod method = head.method();
        boolean post = method.equals(HttpMethod.POST);
        boolean get = method.equals(HttpMethod.GET);
        return switch (route.target()) {
            case DISPATCH -> post ? workspaces.dispatch(route) : notAllowed(path, "POST");
            case REST -> REST_METHODS.contains(method) ? workspaces.rest(route) : notAllowed(path, "GET, POST, PUT, PATCH, DELETE");
            case AGENT_CARD -> get ? workspaces.card(route) : notAllowed(path, "GET");
            case BASE -> post ? workspaces.dispatch(route) : get ? workspaces.card(route) : notAllowed(path, "GET, POST");
        };
    }

    /** The request target in origin form: an absolute-form target loses its scheme and authority. */
    public static String originForm(String uri) {
        if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri;
    }

    /** The decoded path of an origin-form target. */
    static String path(String target) {
        QueryStringDecoder decoder = new QueryStringDecoder(target);
        String raw = decoder.rawPath().toLowerCase(Locale.ROOT);
        if (raw.contains("%2f") || raw.contains("%5c") || raw.contains("\\")) {
            throw new HttpError(400, "the path has an encoded slash or a backslash; it could name two different resources");
        }
        String path = decoder.path();
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new HttpError(404, "no such endpoint: " + path + " (dot segments are not resolved)");
            }
        }
        return path.isEmpty() ? "/" : path;
    }

    private static RequestHandler notAllowed(String path, String allowed) {
        throw new HttpError(405, path + " takes " + allowed, Map.of(), Map.of("Allow", allowed));
    }
}
