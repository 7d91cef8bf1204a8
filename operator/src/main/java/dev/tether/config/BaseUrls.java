package dev.tether.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Base URLs given on the command line: {@code http(s)://host[:port][/path]}, no credentials, query or fragment. */
public final class BaseUrls {
    private BaseUrls() {
    }

    /** The URL without a trailing slash, so paths can be appended; null stays null; anything else stops start-up naming the flag. */
    public static String parse(String flag, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(flag, "'" + value + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new InvalidSettingException(flag, "must be an http or https URL with a host, got '" + value + "'");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidSettingException(flag, "must not carry credentials, a query or a fragment, got '" + value + "'");
        }
        String text = uri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
