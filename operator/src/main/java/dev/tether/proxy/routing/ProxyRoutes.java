package dev.tether.proxy.routing;

import dev.tether.http.HttpError;
import dev.tether.proxy.server.LocalEndpoints;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.server.Router;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the proxy serves, by path: its own {@code /healthz}, {@code /readyz}, {@code /metrics}; {@code /registry/*},
 * relayed to the operator; and under {@code /workspaces/} the dispatch and agent-card routes of {@link WorkspaceRoute}.
 * A path that could mean two things (an encoded slash or backslash) is refused, one with dot segments matches nothing.
 */
public final class ProxyRoutes implements Router {
    /** Makes the handlers of one kind of route. */
    public interface Handlers {
        RequestHandler dispatch(WorkspaceRoute route);

        RequestHandler card(WorkspaceRoute route);
    }

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
        String path = path(head.uri());
        if (LocalEndpoints.PATHS.contains(path)) {
            return local.handler(path, head);
        }
        if (path.startsWith("/registry/")) {
            return registry.apply(head);
        }
        WorkspaceRoute route = WorkspaceRoute.parse(path, defaultNamespace).orElseThrow(() -> new HttpError(404, "no such endpoint: "
                + head.method() + " " + path + "; dispatch with POST /workspaces/{namespace}/{name}/a2a, fetch the agent card with "
                + "GET /workspaces/{namespace}/{name}/.well-known/agent-card.json"));
        HttpMethod method = head.method();
        boolean post = method.equals(HttpMethod.POST);
        boolean get = method.equals(HttpMethod.GET);
        return switch (route.target()) {
            case DISPATCH -> post ? workspaces.dispatch(route) : notAllowed(path, "POST");
            case AGENT_CARD -> get ? workspaces.card(route) : notAllowed(path, "GET");
            case BASE -> post ? workspaces.dispatch(route) : get ? workspaces.card(route) : notAllowed(path, "GET, POST");
        };
    }

    /** The decoded path of a request target, origin-form or absolute-form. */
    static String path(String uri) {
        String target = uri;
        if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            target = slash < 0 ? "/" : target.substring(slash);
        }
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
