package dev.tether.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;

/**
 * Points every endpoint of an agent card at the proxy URL of its own transport, so a stock A2A client that discovered
 * the agent through the proxy keeps calling through it whichever transport it picks: {@code supportedInterfaces[]}
 * (A2A 1.0, by {@code protocolBinding}), the top-level {@code url} (for {@code preferredTransport}) and
 * {@code additionalInterfaces[]} (0.3, by {@code transport}). An interface the proxy does not serve (gRPC) is left out,
 * never rewritten to a URL that would not answer; a card that preferred it prefers JSON-RPC instead. Other URLs (icon,
 * documentation, provider) are not endpoints and stay. Pure; the input is not modified.
 */
public final class AgentCardRewriter {
    /** The proxy's URL for each transport it serves. */
    public record Endpoints(String jsonRpc, String rest) {
        /** The URL for {@code transport}, or null when the proxy does not serve it. */
        public String of(String transport) {
            return switch (AgentCardInterfaces.transport(transport)) {
                case AgentCardInterfaces.JSONRPC -> jsonRpc;
                case AgentCardInterfaces.HTTP_JSON -> rest;
                default -> null;
            };
        }
    }

    private AgentCardRewriter() {
    }

    public static ObjectNode rewrite(ObjectNode card, Endpoints endpoints) {
        ObjectNode copy = card.deepCopy();
        if (copy.hasNonNull("url")) {
            String url = endpoints.of(copy.path("preferredTransport").asText(null));
            if (url == null) {
                copy.put("preferredTransport", AgentCardInterfaces.JSONRPC);
                url = endpoints.jsonRpc();
            }
            copy.put("url", url);
        }
        rewriteEach(copy.get("additionalInterfaces"), "transport", endpoints);
        rewriteEach(copy.get("supportedInterfaces"), "protocolBinding", endpoints);
        return copy;
    }

    private static void rewriteEach(JsonNode interfaces, String transportField, Endpoints endpoints) {
        if (!(interfaces instanceof ArrayNode list)) {
            return;
        }
        for (Iterator<JsonNode> it = list.iterator(); it.hasNext(); ) {
            JsonNode entry = it.next();
            if (!(entry instanceof ObjectNode e) || !e.has("url")) {
                continue;
            }
            String url = endpoints.of(e.path(transportField).isTextual() ? e.get(transportField).asText() : null);
            if (url == null) {
                it.remove();
            } else {
                e.put("url", url);
            }
        }
    }
}
