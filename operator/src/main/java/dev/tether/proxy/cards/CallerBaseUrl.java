package dev.tether.proxy.cards;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The proxy's origin as this caller reaches it, which served cards name: its {@code Host}, or, behind a configured
 * ingress ({@code --trust-forwarded-headers}), the ingress's {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}.
 * Read before the request's headers are edited for the agent. Pure.
 */
public final class CallerBaseUrl {
    private CallerBaseUrl() {
    }

    /** {@code scheme://host[:port]}, no trailing slash. */
    public static String of(HttpHeaders headers, boolean trustForwarded) {
        String proto = trustForwarded ? first(headers.get("X-Forwarded-Proto")) : null;
        String host = trustForwarded ? first(headers.get("X-Forwarded-Host")) : null;
        return (proto != null ? proto : "http") + "://" + (host != null ? host : headers.get(HttpHeaderNames.HOST));
    }

    private static String first(String header) {
        if (header == null) {
            return null;
        }
        String value = header.split(",")[0].trim();
        return value.isEmpty() ? null : value;
    }
}
