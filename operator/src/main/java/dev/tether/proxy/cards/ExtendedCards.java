package dev.tether.proxy.cards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.a2a.AgentCardRewriter;
import dev.tether.api.WorkspaceId;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.wire.Answers;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The authenticated extended card, asked for with the caller's own credentials: JSON-RPC
 * {@code agent/getAuthenticatedExtendedCard} (0.3; {@code GetExtendedAgentCard} in 1.0), whose {@code result} is the
 * card, and REST {@code GET /v1/card}, whose body is. The agent's answer is buffered and its card rewritten like the
 * public one, so a client that switches to it keeps calling through the proxy. Anything else (an error, a body that
 * is not a card) passes as the agent sent it.
 */
public final class ExtendedCards {
    /** The JSON-RPC methods that answer with the extended card. */
    public static final Set<String> JSONRPC_METHODS = Set.of("agent/getAuthenticatedExtendedCard", "GetExtendedAgentCard");
    /** The REST route that does, below the REST base. */
    public static final String REST_ROUTE = "/v1/card";

    private ExtendedCards() {
    }

    /** Whether a REST call asks for the extended card ({@code route} as sent, with any query). */
    public static boolean isRestRoute(String method, String route) {
        int q = route.indexOf('?');
        return method.equals("GET") && (q < 0 ? route : route.substring(0, q)).equals(REST_ROUTE);
    }

    /** Answers the caller with the agent's answer to a JSON-RPC extended-card call, its {@code result} rewritten. */
    public static Exchange.Receiver jsonRpc(CallerConnection connection, WorkspaceId id, AgentCardRewriter.Endpoints endpoints) {
        return receiver(connection, id, json -> json.get("result") instanceof ObjectNode card
                ? ((ObjectNode) json.deepCopy()).set("result", AgentCardRewriter.rewrite(card, endpoints)) : null);
    }

    /** Answers the caller with the agent's answer to {@code GET /v1/card}, the card rewritten. */
    public static Exchange.Receiver rest(CallerConnection connection, WorkspaceId id, AgentCardRewriter.Endpoints endpoints) {
        return receiver(connection, id, json -> json instanceof ObjectNode card ? AgentCardRewriter.rewrite(card, endpoints) : null);
    }

    /** {@code rewrite} gives the body to serve instead, or null to serve the agent's as sent. */
    private static Exchange.Receiver receiver(CallerConnection connection, WorkspaceId id, Function<JsonNode, JsonNode> rewrite) {
        return new Exchange.Receiver() {
            @Override
            public void answered(int status, HttpHeaders headers, ByteBuf body) {
                try {
                    connection.answer(served(status, headers, body, rewrite));
                } finally {
                    body.release();
                }
            }

            @Override
            public void failed(int status, String message) {
                connection.answer(Answers.error(status, message, Map.of("workspace", id.toString()), Map.of()));
            }
        };
    }

    private static FullHttpResponse served(int status, HttpHeaders headers, ByteBuf body, Function<JsonNode, JsonNode> rewrite) {
        JsonNode parsed = status / 100 == 2 ? CardAnswers.parse(body) : null;
        JsonNode replaced = parsed == null ? null : rewrite.apply(parsed);
        return replaced == null ? CardAnswers.asSent(status, headers, body) : CardAnswers.rewritten(status, headers, replaced);
    }
}
