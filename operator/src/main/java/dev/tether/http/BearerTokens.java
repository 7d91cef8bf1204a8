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
        return require(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION), HttpHeader.AUTHORIZATION.asString(), what);
    }

    /**
     * The bearer token in the values of one credentials header ({@code header}: its name, for the message), or a 401
     * naming {@code what} was expected and not echoing what was sent.
     */
    public static String require(java.util.List<String> values, String header, String what) {
        if (values.size() > 1) {
            throw unauthorized("more than one " + header + " header");
        }
        String value = values.isEmpty() ? null : values.get(0);
        if (value == null || !value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw unauthorized("missing " + header + ": Bearer <" + what + ">");
        }
        String token = value.substring(PREFIX.length()).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN) {
            throw unauthorized("malformed bearer token");
        }
        return token;
    }

    public static HttpError unauthorized(String message) {
        return new HttpError(401, message, java.util.Map.of(), java.util.Map.of("WWW-Authenticate", "Bearer"));
    }
}
