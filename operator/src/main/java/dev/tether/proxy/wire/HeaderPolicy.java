package dev.tether.proxy.wire;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which headers cross the proxy, edited in place on the message that crosses. End-to-end headers pass both ways
 * untouched ({@code A2A-Version} included); hop-by-hop ones (RFC 9110 7.6.1, and any the {@code Connection} header
 * names) stop here, and so do the proxy's own credentials ({@code Proxy-*}). Pure.
 */
public final class HeaderPolicy {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding",
            "upgrade", "content-length");
    /**
     * Also never sent to an agent: Host (the agent's is set), Expect (the proxy answered it), Accept-Encoding (answers
     * pass through as bytes, and the proxy must read stream events and count sizes uncompressed), and forwarding
     * headers a caller could forge ({@code X-Forwarded-*}, {@code Forwarded}).
     */
    private static final Set<String> REQUEST_ONLY = Set.of("host", "expect", "accept-encoding", "forwarded", "tether-relay");

    /**
     * What the proxy adds to {@code Via} on everything it sends (RFC 9110 7.6.3), so a request that comes back to a
     * Tether proxy (a workspace URL that leads to a proxy) is recognised and refused instead of going round.
     */
    public static final String VIA = "1.1 tether";

    /**
     * Marks a call one proxy replica relays to the replica that holds the workspace's task slots; honoured only from a
     * peer's address, and never sent to an agent.
     */
    public static final String RELAY = "Tether-Relay";

    private HeaderPolicy() {
    }

    /** Whether the request already passed through a Tether proxy: a {@code Via} entry received by {@code tether}. */
    public static boolean cameThroughTether(HttpHeaders headers) {
        for (String value : headers.getAll(HttpHeaderNames.VIA)) {
            for (String entry : value.split(",")) {
                String[] parts = entry.trim().split("\\s+");
                if (parts.length >= 2 && parts[1].equalsIgnoreCase("tether")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes what must not reach the replica a call is relayed to: hop-by-hop headers only (the caller's credentials go on). */
    public static void towardPeer(HttpHeaders headers) {
        Set<String> connectionTokens = connectionTokens(headers.getAll(HttpHeaderNames.CONNECTION));
        HOP_BY_HOP.forEach(headers::remove);
        connectionTokens.forEach(headers::remove);
        headers.remove("host");
    }

    /** Removes what must not reach the agent. */
    public static void towardAgent(HttpHeaders headers) {
        strip(headers, true);
    }

    /** Removes what must not reach the caller. */
    public static void towardCaller(HttpHeaders headers) {
        strip(headers, false);
    }

    private static void strip(HttpHeaders headers, boolean towardAgent) {
        Set<String> connectionTokens = connectionTokens(headers.getAll(HttpHeaderNames.CONNECTION));
        List<String> drop = null;
        for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
            String name = it.next().getKey().toString().toLowerCase(Locale.ROOT);
            boolean hop = HOP_BY_HOP.contains(name) || name.startsWith("proxy-") || connectionTokens.contains(name);
            if (hop || towardAgent && (REQUEST_ONLY.contains(name) || name.startsWith("x-forwarded-"))) {
                if (drop == null) {
                    drop = new ArrayList<>(4);
                }
                drop.add(name);
            }
        }
        if (drop != null) {
            drop.forEach(headers::remove);
        }
    }

    /** Header names listed in {@code Connection} values, lower case: they are hop-by-hop too. */
    public static Set<String> connectionTokens(Iterable<String> connectionValues) {
        Set<String> tokens = null;
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    if (tokens == null) {
                        tokens = new java.util.TreeSet<>();
                    }
                    tokens.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens == null ? Set.of() : tokens;
    }
}
