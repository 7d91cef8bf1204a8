package dev.tether.proxy.forwarding;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where one request goes: an agent's (or the operator's) origin, the path and query to ask for, and the Host
 * header to send. Parsed once per URL text; {@link #address()} keys the connection pool.
 */
public record Upstream(AgentAddress address, String pathAndQuery, String hostHeader) {
    /** An origin connections are pooled by. {@code checked}: a runtime registered it, so where it resolves is vetted. */
    public record AgentAddress(boolean tls, String host, int port, boolean checked) {
        @Override
        public String toString() {
            return (tls ? "https://" : "http://") + host + ":" + port;
        }
    }

    /** An http(s) URL with a host, without credentials; empty otherwise. */
    public static Optional<Upstream> parse(String url, boolean checked) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
            return Optional.empty();
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        boolean defaultPort = uri.getPort() < 0 || uri.getPort() == (tls ? 443 : 80);
        return Optional.of(new Upstream(new AgentAddress(tls, host, port, checked), path + query,
                defaultPort ? uri.getHost() : uri.getHost() + ":" + port));
    }

    /** The same origin, another path (a card location, a REST route). */
    public Upstream withPath(String otherPathAndQuery) {
        return new Upstream(address, otherPathAndQuery, hostHeader);
    }

    /** The path without its query. */
    public String path() {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    /** The URL without credentials or query, for messages and logs. */
    public String redacted() {
        return (address.tls() ? "https://" : "http://") + hostHeader + path();
    }
}
