package dev.tether.heartbeat;

import dev.tether.http.HttpError;
import java.util.Map;

/** The registry's refusals that carry more than a status and a message. */
public final class RegistryErrors {
    private RegistryErrors() {
    }

    public static HttpError unavailable(String message) {
        return new HttpError(503, message, Map.of("retry_after_seconds", HeartbeatSettings.RETRY_AFTER_SECONDS),
                Map.of("Retry-After", String.valueOf(HeartbeatSettings.RETRY_AFTER_SECONDS)));
    }

    /** The metrics label for a refusal. */
    public static String result(HttpError e) {
        return switch (e.status()) {
            case 401 -> "unauthorized";
            case 413 -> "too_large";
            case 503 -> "unavailable";
            default -> "invalid";
        };
    }
}
