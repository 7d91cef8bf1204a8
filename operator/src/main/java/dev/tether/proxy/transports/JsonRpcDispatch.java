package dev.tether.proxy.transports;

import dev.tether.a2a.JsonRpcRequests;
import dev.tether.a2a.TaskCalls;
import dev.tether.a2a.WorkspacePaths;
import dev.tether.api.WorkspaceId;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.cards.CallerBaseUrl;
import dev.tether.proxy.cards.ExtendedCards;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call on a workspace's JSON-RPC endpoint: admitted ({@link Admission}), its body classified from the top level
 * ({@link JsonRpcRequests}: the legacy canvas shape is wrapped, anything else passes byte for byte, JSON or not, for
 * the agent to judge and answer as it would a direct call), and forwarded under the workspace's idle window and ceiling. The extended
 * card's answer is buffered and its card rewritten to the proxy. Refusals answer before anything reaches the agent.
 */
public final class JsonRpcDispatch extends AdmittedCall {
    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcDispatch.class);

    private JsonRpcRequests.Body request;

    public JsonRpcDispatch(Admission.Context context, WorkspaceId workspace) {
        super(context, workspace);
    }

    @Override
    protected boolean startsTask(HttpRequest head, ByteBuf body) {
        byte[] bytes = ByteBufUtil.getBytes(body, body.readerIndex(), body.readableBytes(), false);
        request = JsonRpcRequests.classify(bytes, 0, bytes.length, () -> UUID.randomUUID().toString());
        return TaskCalls.jsonRpc(method());
    }

    @Override
    protected boolean streams() {
        return TaskCalls.jsonRpcStream(method());
    }

    @Override
    protected String rpcId() {
        return switch (request) {
            case JsonRpcRequests.Unparsable bad -> null;
            case JsonRpcRequests.Legacy legacy -> legacy.id();
            case JsonRpcRequests.Forward envelope -> envelope.id();
        };
    }

    @Override
    protected boolean rest() {
        return false;
    }

    private String method() {
        return switch (request) {
            case JsonRpcRequests.Unparsable bad -> null;
            case JsonRpcRequests.Legacy legacy -> legacy.method();
            case JsonRpcRequests.Forward envelope -> envelope.method();
        };
    }

    @Override
    protected void forward(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted, long started) {
        ByteBuf forwarded = body;
        if (request instanceof JsonRpcRequests.Unparsable bad) {
            LOG.atDebug().addKeyValue("workspace", workspace).log("forwarding a body that is not JSON as sent: {}", bad.problem());
        } else if (request instanceof JsonRpcRequests.Legacy legacy) {
            body.release();
            forwarded = Unpooled.wrappedBuffer(legacy.envelope());
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        String rpcId = rpcId();
        String method = method();
        String base = CallerBaseUrl.of(head.headers(), context.trustForwardedHeaders());
        HeaderPolicy.towardAgent(head.headers());
        Exchange.Builder exchange = Exchange.to(context.forwarding(), connection, admitted.agent(), head)
                .body(forwarded)
                .workspace(workspace)
                .idleWindow(admitted.policy().idle())
                .ceiling(admitted.ceiling())
                .rpcId(rpcId)
                .streamOpened(streamOpened())
                .ended(ended(started));
        if (method != null && ExtendedCards.JSONRPC_METHODS.contains(method)) {
            exchange.buffered(ExtendedCards.jsonRpc(connection, workspace, WorkspacePaths.endpoints(base, workspace)));
        }
        connection.attach(exchange.start());
    }
}
