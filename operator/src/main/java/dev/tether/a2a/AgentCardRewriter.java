package dev.tether.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Points every endpoint URL of an agent card at the proxy, so a stock A2A client that discovered the
 * agent through the proxy keeps dispatching through it: {@code supportedInterfaces[].url} (A2A 1.0)
 * and the top-level {@code url} and {@code additionalInterfaces[].url} (0.3). Other URLs (icon,
 * documentation, provider) are not endpoints and stay. Pure; the input is not modified.
 */
public final class AgentCardRewriter {
    private AgentCardRewriter() {
    }

    public static ObjectNode rewrite(ObjectNode card, String endpoint) {
        ObjectNode copy = card.deepCopy();
        if (copy.hasNonNull("url")) {
            copy.put("url", endpoint);
        }
        rewriteEach(copy.get("additionalInterfaces"), endpoint);
        rewriteEach(copy.get("supportedInterfaces"), endpoint);
        return copy;
    }

    private static void rewriteEach(JsonNode interfaces, String endpoint) {
        if (interfaces instanceof ArrayNode list) {
            for (JsonNode entry : list) {
                if (entry instanceof ObjectNode e && e.has("url")) {
                    e.put("url", endpoint);
                }
            }
        }
    }
}
