package dev.tether.proxy;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which headers cross the proxy. End-to-end headers pass both ways untouched ({@code A2A-Version}
 * included); hop-by-hop ones (RFC 9110 7.6.1, plus any the {@code Connection} header names) stop here,
 * and so do the caller's credentials toward the proxy. Pure.
 */
final class HeaderPolicy {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding",
            "upgrade", "content-length");
    /**
     * Also never sent upstream: the caller's credentials, Host (OkHttp sets the agent's),
     * Content-Type (set from the normalised body), Expect, and Accept-Encoding (OkHttp negotiates
     * compression and decodes, so size caps apply to what the caller receives).
     */
    private static final Set<String> REQUEST_ONLY = Set.of("authorization", "host", "content-type", "expect", "accept-encoding");

    private HeaderPolicy() {
    }

    /** Header names listed in {@code Connection} values, lower case: they are hop-by-hop too. */
    static Set<String> connectionTokens(Iterable<String> connectionValues) {
        Set<String> tokens = new TreeSet<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    tokens.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    static boolean forwardUpstream(String name, Set<String> connectionTokens) {
        String n = name.toLowerCase(Locale.ROOT);
        return !REQUEST_ONLY.contains(n) && endToEnd(n, connectionTokens);
    }

    static boolean forwardToCaller(String name, Set<String> connectionTokens) {
        return endToEnd(name.toLowerCase(Locale.ROOT), connectionTokens);
    }

    private static boolean endToEnd(String lowerName, Set<String> connectionTokens) {
        return !HOP_BY_HOP.contains(lowerName) && !lowerName.startsWith("proxy-") && !connectionTokens.contains(lowerName);
    }
}
