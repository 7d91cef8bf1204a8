package dev.tether.heartbeat;

import dev.tether.http.HttpError;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a URL a runtime registers for itself. The proxy will call it, so it must be plain http(s),
 * carry no credentials, and not name a link-local or cloud metadata endpoint outright (a literal address or a known
 * metadata host name); where a host name resolves to is judged by the proxy when it connects.
 */
final class RegisteredUrls {
    static final int MAX_LENGTH = 2048;
    private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal", "metadata.goog",
            "instance-data", "instance-data.ec2.internal");
    private static final Set<String> METADATA_ADDRESSES = Set.of("100.100.100.200", "fd00:ec2:0:0:0:0:0:254");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:.]+]?");

    private RegisteredUrls() {
    }

    static String validate(String field, String url) {
        if (url.length() > MAX_LENGTH) {
            throw invalid(field, "is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid(field, "is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(field, "must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(field, "must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(field, "must not carry credentials");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (METADATA_HOSTS.contains(host.endsWith(".") ? host.substring(0, host.length() - 1) : host)) {
            throw invalid(field, "points at a cloud metadata endpoint");
        }
        if (IP_LITERAL.matcher(host).matches()) {
            InetAddress address = literal(field, host);
            if (address.isLinkLocalAddress() || METADATA_ADDRESSES.contains(address.getHostAddress())) {
                throw invalid(field, "points at a link-local or metadata address");
            }
        }
        return url;
    }

    /** Parses an IP literal without any DNS lookup. */
    private static InetAddress literal(String field, String host) {
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            throw invalid(field, "has an invalid IP address");
        }
    }

    private static HttpError invalid(String field, String problem) {
        return new HttpError(400, "field '" + field + "' " + problem);
    }
}
