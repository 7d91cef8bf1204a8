package dev.tether.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** Reads {@code Authorization: Bearer <token>}. */
public final class BearerTokens {
    private static final String PREFIX = "Bearer ";
    /** Longer bearer tokens are refused as malformed. */
    public static final int MAX_TOKEN = 512;

    private BearerTokens() {
    }

    /** The bearer token, or a 401 that does not echo what was sent. */
    public static String require(Request request) {
        return require(request, "workspace token");
    }

    /** The bearer token, or a 401 naming {@code what} was expected and not echoing what was sent. */
    public static String require(Request request, String what) {
        if (request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION).size() > 1) {
            throw unauthorized("more than one Authorization header");
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw unauthorized("missing Authorization: Bearer <" + what + ">");
        }
        String token = header.substring(PREFIX.length()).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN) {
            throw unauthorized("malformed bearer token");
        }
        return token;
    }

    public static HttpError unauthorized(String message) {
        return new HttpError(401, message, java.util.Map.of(), java.util.Map.of("WWW-Authenticate", "Bearer"));
    }
}
