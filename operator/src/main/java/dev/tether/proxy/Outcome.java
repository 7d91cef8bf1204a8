package dev.tether.proxy;

import java.util.Locale;

/** How a dispatch ended, as the metrics count it. */
enum Outcome {
    OK, IDLE_TIMEOUT, CEILING, UPSTREAM_ERROR, CLIENT_GONE, REJECTED;

    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
