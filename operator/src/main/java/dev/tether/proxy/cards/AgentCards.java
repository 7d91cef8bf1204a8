package dev.tether.proxy.cards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.a2a.AgentCardRewriter;
import dev.tether.a2a.WorkspacePaths;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.activity.ActivityReporter;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.admission.WakeHolds;
import dev.tether.proxy.admission.WorkspaceLookup;
import dev.tether.proxy.forwarding.CallerEvents;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.Answers;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code GET /workspaces/{ns}/{name}/.well-known/agent-card.json} (and {@code agent.json}, and the base URL): the
 * agent's public card, fetched from the agent ({@link CardFetch}) and served with each interface pointing at the
 * proxy's endpoint of its transport ({@link AgentCardRewriter}). The caller's {@code A2A-Version} goes to the agent
 * (a 1.0 agent picks the card's shape from it) and the answer keeps {@code Vary: A2A-Version}.
 */
public final class AgentCards implements RequestHandler {
    private final Admission.Context context;
    private final WorkspaceRoute route;

    public AgentCards(Admission.Context context, WorkspaceRoute route) {
        this.context = context;
        this.route = route;
    }

    @Override
    public boolean wantsBody() {
        return false;
    }

    @Override
    public void handle(CallerConnection connection, HttpRequest head, ByteBuf body) {
        body.release();
        WorkspaceId id = route.workspace();
        Workspace ws;
        try {
            ws = Admission.authorize(context, head.headers(), id);
        } catch (HttpError e) {
            connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            return;
        }
        ActivityReporter.Call call = context.activity().begin(id, ws);
        if (!context.wakes().mustHold(id, ws)) {
            fetch(connection, head, ws, call);
            return;
        }
        // A client reads the card before it sends: it is held through a wake like the send that follows.
        WakeHolds.Hold hold = context.wakes().hold(id, ws, connection.context().executor(), new WakeHolds.Sleeper() {
            @Override
            public void awake() {
                try {
                    fetch(connection, head, WorkspaceLookup.find(context.directory(), id), call);
                } catch (HttpError e) {
                    refused(e);
                }
            }

            @Override
            public void refused(HttpError e) {
                call.end();
                connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            }
        });
        connection.attach(new CallerEvents() {
            @Override
            public void callerWritable() {
            }

            @Override
            public void callerGone() {
                hold.leave();
                call.end();
            }
        });
    }

    private void fetch(CallerConnection connection, HttpRequest head, Workspace ws, ActivityReporter.Call call) {
        WorkspaceId id = route.workspace();
        Upstream agent;
        try {
            agent = WorkspaceLookup.upstream(context.directory(), EnforcedPolicy.of(ws, context.defaultIdleSeconds(),
                    context.defaultMaxDurationSeconds()));
        } catch (HttpError e) {
            call.end();
            connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            return;
        }
        AgentCardRewriter.Endpoints endpoints = WorkspacePaths.endpoints(CallerBaseUrl.of(head.headers(), context.trustForwardedHeaders()), id);
        HttpHeaders headers = head.headers();
        HeaderPolicy.towardAgent(headers);
        CardFetch.start(context.forwarding(), context.metrics(), connection, id, agent, route.cardFile(), headers, new Exchange.Receiver() {
            @Override
            public void answered(int status, HttpHeaders agentHeaders, ByteBuf card) {
                call.end();
                try {
                    connection.answer(served(status, agentHeaders, card, endpoints));
                } finally {
                    card.release();
                }
            }

            @Override
            public void failed(int status, String message) {
                call.end();
                connection.answer(Answers.error(status, "cannot fetch the agent card of workspace " + id + ": " + message,
                        Map.of("workspace", id.toString()), Map.of()));
            }

            @Override
            public void abandoned() {
                call.end();
            }
        });
    }

    /** The agent's answer as the caller gets it: a card rewritten to the proxy, an error as the agent sent it. */
    private FullHttpResponse served(int status, HttpHeaders agentHeaders, ByteBuf card,
            AgentCardRewriter.Endpoints endpoints) {
        if (status / 100 != 2) {
            return CardAnswers.asSent(status, agentHeaders, card);
        }
        JsonNode parsed = CardAnswers.parse(card);
        if (!(parsed instanceof ObjectNode object)) {
            byte[] start = ByteBufUtil.getBytes(card, card.readerIndex(), Math.min(card.readableBytes(), 80));
            return Answers.error(502, "the agent card of workspace " + route.workspace() + " is not a JSON object: '"
                    + new String(start, StandardCharsets.UTF_8) + "'", Map.of("workspace", route.workspace().toString()), Map.of());
        }
        return CardAnswers.rewritten(200, agentHeaders, AgentCardRewriter.rewrite(object, endpoints));
    }
}
