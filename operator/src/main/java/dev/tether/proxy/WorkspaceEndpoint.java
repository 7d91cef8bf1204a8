package dev.tether.proxy;

import dev.tether.http.HttpError;
import dev.tether.http.JsonEndpoint;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Everything under {@code /workspaces/}: routes dispatches to the forwarder and card requests to discovery. */
final class WorkspaceEndpoint extends JsonEndpoint {
    private final String defaultNamespace;
    private final A2aForwarder forwarder;
    private final AgentCardEndpoint cards;

    WorkspaceEndpoint(String defaultNamespace, A2aForwarder forwarder, AgentCardEndpoint cards) {
        super(Set.of("GET", "POST"), false);
        this.defaultNamespace = defaultNamespace;
        this.forwarder = forwarder;
        this.cards = cards;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getCanonicalPath();
        WorkspaceRoute route = WorkspaceRoute.parse(path, defaultNamespace).orElseThrow(() -> new HttpError(404,
                "no such route: " + path + "; use POST /workspaces/{namespace}/{name}/a2a or "
                        + "GET /workspaces/{namespace}/{name}/.well-known/agent-card.json"));
        boolean post = request.getMethod().equals("POST");
        switch (route.target()) {
            case DISPATCH -> {
                require(post, "POST", path);
                forwarder.dispatch(route.workspace(), request, response, callback);
            }
            case AGENT_CARD -> {
                require(!post, "GET", path);
                cards.serve(route, request, response, callback);
            }
            case BASE -> {
                if (post) {
                    forwarder.dispatch(route.workspace(), request, response, callback);
                } else {
                    cards.serve(route, request, response, callback);
                }
            }
        }
    }

    private static void require(boolean ok, String method, String path) {
        if (!ok) {
            throw new HttpError(405, path + " takes " + method, Map.of(), Map.of("Allow", method));
        }
    }
}
