package dev.tether.proxy.forwarding;

import java.util.Locale;

/** How a dispatch ended, as the metrics count it. */
public enum Outcome {
    OK, IDLE_TIMEOUT, CEILING, UPSTREAM_ERROR, CLIENT_GONE, REJECTED;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
