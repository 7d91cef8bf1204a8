package dev.tether.proxy;

import dev.tether.api.DispatchSpec;
import dev.tether.http.HttpError;
import java.util.regex.Pattern;

/**
 * The absolute deadline of one dispatch. {@code X-Timeout: N} sets N seconds (0: none); otherwise an
 * agent-to-agent call (caller named in {@code X-Workspace-ID}) gets the workspace's
 * {@code maxDurationSeconds} and a canvas call none. Pure.
 *
 * @param seconds 0 when there is no ceiling
 * @param rule    what set it, for the caller's error message
 */
record Ceiling(long seconds, String rule) {
    static final String TIMEOUT_HEADER = "X-Timeout";
    static final String CALLER_HEADER = "X-Workspace-ID";
    static final Ceiling NONE = new Ceiling(0, "none");
    private static final Pattern WHOLE_SECONDS = Pattern.compile("\\d{1,9}");

    static Ceiling resolve(String timeoutHeader, String callerHeader, int maxDurationSeconds) {
        if (timeoutHeader != null) {
            String value = timeoutHeader.trim();
            if (!WHOLE_SECONDS.matcher(value).matches() || Long.parseLong(value) > DispatchSpec.MAX_SECONDS) {
                throw new HttpError(400, TIMEOUT_HEADER + " must be a whole number of seconds from 0 (no ceiling) to "
                        + DispatchSpec.MAX_SECONDS + ", got '" + timeoutHeader + "'");
            }
            long seconds = Long.parseLong(value);
            return seconds == 0 ? NONE : new Ceiling(seconds, TIMEOUT_HEADER);
        }
        if (callerHeader != null && !callerHeader.isBlank()) {
            return new Ceiling(maxDurationSeconds, "maxDurationSeconds (agent-to-agent call)");
        }
        return NONE;
    }

    boolean exists() {
        return seconds > 0;
    }
}
