package dev.tether.proxy.transports;

import dev.tether.a2a.TaskCalls;
import dev.tether.a2a.WorkspacePaths;
import dev.tether.http.HttpError;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.cards.CallerBaseUrl;
import dev.tether.proxy.cards.ExtendedCards;
import dev.tether.proxy.cards.RestBases;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A call on a workspace's HTTP+JSON transport, {@code /workspaces/{ns}/{name}/rest/{route}}: admitted like a JSON-RPC
 * call, then forwarded to the same route below the agent's REST base ({@link RestBases}) with method, query and body
 * as sent, under the same idle window, ceiling and stream relay. A stream the proxy ends gets a final REST
 * {@code error} event; {@code GET /v1/card} (the extended card) is rewritten to the proxy.
 */
public final class RestDispatch extends AdmittedCall {
    private final RestBases bases;
    private final WorkspaceRoute route;

    public RestDispatch(Admission.Context context, RestBases bases, WorkspaceRoute route) {
        super(context, route.workspace());
        this.bases = bases;
        this.route = route;
    }

    @Override
    protected boolean startsTask(HttpRequest head, ByteBuf body) {
        return TaskCalls.rest(head.method().name(), route.restRoute());
    }

    @Override
    protected void forward(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted, long started) {
        String base = CallerBaseUrl.of(head.headers(), context.trustForwardedHeaders());
        HeaderPolicy.towardAgent(head.headers());
        bases.resolve(connection, workspace, admitted, new RestBases.Then() {
            @Override
            public void resolved(Upstream rest) {
                send(connection, head, body, admitted, rest.withPath(below(rest.path(), route.restRoute())), base, started);
            }

            @Override
            public void refused(HttpError error) {
                refuse(connection, body, error, started);
            }

            @Override
            public void abandoned() {
                RestDispatch.this.abandoned(body);
            }
        });
    }

    private void send(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted, Upstream target,
            String base, long started) {
        Exchange.Builder exchange = Exchange.to(context.forwarding(), connection, target, head)
                .body(body)
                .workspace(workspace)
                .idleWindow(admitted.policy().idle())
                .ceiling(admitted.ceiling())
                .rest()
                .ended(ended(started));
        if (ExtendedCards.isRestRoute(head.method().name(), route.restRoute())) {
            exchange.buffered(ExtendedCards.rest(connection, workspace, WorkspacePaths.endpoints(base, workspace)));
        }
        connection.attach(exchange.start());
    }

    /** The caller's route below the agent's REST base path. */
    static String below(String basePath, String restRoute) {
        String joined = (basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath) + restRoute;
        return joined.isEmpty() || joined.startsWith("?") ? "/" + joined : joined;
    }
}
