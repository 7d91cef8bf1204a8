package dev.tether.http;

import java.util.Map;

/** A request that must end with a specific status and message; thrown from handlers, rendered as JSON. */
public class HttpError extends RuntimeException {
    private final int status;
    private final Map<String, ?> details;
    private final Map<String, String> headers;

    public HttpError(int status, String message) {
        this(status, message, Map.of(), Map.of());
    }

    public HttpError(int status, String message, Map<String, ?> details, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public Map<String, ?> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
