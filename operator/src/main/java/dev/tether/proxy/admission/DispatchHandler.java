package dev.tether.proxy.admission;

import dev.tether.a2a.JsonRpcRequests;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.callers.CallerAuthorization;
import dev.tether.proxy.forwarding.Ceiling;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Forwarding;
import dev.tether.proxy.forwarding.Outcome;
import dev.tether.proxy.forwarding.ProxyMetrics;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.WorkspaceDirectory;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.Answers;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Map;
import java.util.UUID;

/**
 * A JSON-RPC dispatch to a workspace: the caller is authorised, the workspace's policy read from the informer cache,
 * the body classified from its top level ({@link JsonRpcRequests}), and the dispatch forwarded under its idle window and
 * ceiling. Refusals answer before anything reaches the agent.
 */
public final class DispatchHandler implements RequestHandler {
    /** What every dispatch needs; one per proxy. */
    public record Context(WorkspaceDirectory directory, CallerAuthorization callers, Forwarding forwarding, ProxyMetrics metrics,
            int defaultIdleSeconds, int defaultMaxDurationSeconds) {
    }

    private final Context context;
    private final WorkspaceId workspace;

    public DispatchHandler(Context context, WorkspaceId workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    @Override
    public boolean wantsBody() {
        return true;
    }

    @Override
    public void handle(CallerConnection connection, HttpRequest head, ByteBuf body) {
        long started = System.nanoTime();
        Workspace ws = null;
        ByteBuf forwarded = body;
        String rpcId;
        EnforcedPolicy policy;
        Ceiling ceiling;
        Upstream upstream;
        try {
            context.callers().authorize(head.headers(), workspace);
            ws = WorkspaceLookup.find(context.directory(), workspace);
            policy = EnforcedPolicy.of(ws, context.defaultIdleSeconds(), context.defaultMaxDurationSeconds());
            ceiling = Ceiling.resolve(head.headers().get(Ceiling.TIMEOUT_HEADER), head.headers().get(Ceiling.CALLER_HEADER),
                    policy.maxDurationSeconds());
            upstream = WorkspaceLookup.upstream(policy);
            if (policy.budgetExhausted()) {
                throw new HttpError(402, "workspace " + workspace + " has spent its monthly budget (" + policy.monthlySpendCents()
                        + " of " + policy.budgetLimitCents() + " cents); raise spec.budgetLimitCents or wait for next month",
                        Map.of("workspace", workspace.toString(), "monthly_spend_cents", policy.monthlySpendCents(),
                                "budget_limit_cents", policy.budgetLimitCents()), Map.of());
            }
            byte[] bytes = ByteBufUtil.getBytes(body, body.readerIndex(), body.readableBytes(), false);
            switch (JsonRpcRequests.classify(bytes, 0, bytes.length, () -> UUID.randomUUID().toString())) {
                case JsonRpcRequests.Unparsable bad -> {
                    body.release();
                    context.metrics().dispatch(workspace, Outcome.REJECTED, started);
                    connection.answer(Answers.json(400, JsonRpcRequests.parseError(bad.problem())));
                    return;
                }
                case JsonRpcRequests.Legacy legacy -> {
                    body.release();
                    forwarded = Unpooled.wrappedBuffer(legacy.envelope());
                    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    rpcId = legacy.id();
                }
                case JsonRpcRequests.Forward envelope -> rpcId = envelope.id();
            }
        } catch (HttpError e) {
            forwarded.release();
            context.metrics().dispatch(ws == null ? null : workspace, Outcome.REJECTED, started);
            connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            return;
        }
        HeaderPolicy.towardAgent(head.headers());
        Exchange exchange = Exchange.to(context.forwarding(), connection, upstream, head)
                .body(forwarded)
                .workspace(workspace)
                .idleWindow(policy.idle())
                .ceiling(ceiling)
                .rpcId(rpcId)
                .ended((e, outcome) -> context.metrics().dispatch(workspace, outcome, e.startedNanos()))
                .start();
        connection.attach(exchange);
    }
}
