package dev.tether.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads which URL an agent card gives for a transport, in either card shape: the top-level {@code url} with
 * {@code preferredTransport} (0.3, JSON-RPC when absent), {@code additionalInterfaces[].transport} (0.3) and
 * {@code supportedInterfaces[].protocolBinding} (1.0). Transport names compare case-insensitively, {@code REST}
 * meaning {@code HTTP+JSON}. Pure.
 */
public final class AgentCardInterfaces {
    public static final String JSONRPC = "JSONRPC";
    public static final String HTTP_JSON = "HTTP+JSON";

    private AgentCardInterfaces() {
    }

    /** The canonical name of a transport ({@code null}: a card's default, JSON-RPC). */
    public static String transport(String name) {
        String t = name == null ? JSONRPC : name.trim().toUpperCase(Locale.ROOT);
        return t.equals("REST") ? HTTP_JSON : t;
    }

    /** The card's URL for {@code transport}, when it lists one. */
    public static Optional<String> url(JsonNode card, String transport) {
        String wanted = transport(transport);
        if (card.path("url").isTextual() && transport(card.path("preferredTransport").asText(null)).equals(wanted)) {
            return Optional.of(card.get("url").asText());
        }
        Optional<String> listed = listed(card.get("additionalInterfaces"), "transport", wanted);
        return listed.isPresent() ? listed : listed(card.get("supportedInterfaces"), "protocolBinding", wanted);
    }

    private static Optional<String> listed(JsonNode interfaces, String field, String wanted) {
        if (interfaces == null || !interfaces.isArray()) {
            return Optional.empty();
        }
        for (JsonNode entry : interfaces) {
            if (entry.path("url").isTextual() && entry.path(field).isTextual() && transport(entry.get(field).asText()).equals(wanted)) {
                return Optional.of(entry.get("url").asText());
            }
        }
        return Optional.empty();
    }
}
