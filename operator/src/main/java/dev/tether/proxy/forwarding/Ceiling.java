package dev.tether.proxy.forwarding;

import dev.tether.api.DispatchSpec;
import dev.tether.http.HttpError;
import java.util.regex.Pattern;

/**
 * The absolute deadline of one dispatch. A canvas call (no caller) has none unless {@code X-Timeout: N}
 * sets N seconds. An agent-to-agent call (caller named in {@code X-Workspace-ID}) gets the workspace's
 * {@code maxDurationSeconds}, which is the admin's bound: {@code X-Timeout} may shorten it, never lift
 * or extend it, so a calling agent cannot escape it. Pure.
 *
 * @param seconds 0 when there is no ceiling
 * @param rule    what set it, for the caller's error message
 */
public record Ceiling(long seconds, String rule) {
    public static final String TIMEOUT_HEADER = "X-Timeout";
    public static final String CALLER_HEADER = "X-Workspace-ID";
    public static final Ceiling NONE = new Ceiling(0, "none");
    private static final Pattern WHOLE_SECONDS = Pattern.compile("\\d{1,9}");

    public static Ceiling resolve(String timeoutHeader, String callerHeader, int maxDurationSeconds) {
        long requested = requested(timeoutHeader);
        if (callerHeader != null && !callerHeader.isBlank()) {
            return requested > 0 && requested < maxDurationSeconds
                    ? new Ceiling(requested, TIMEOUT_HEADER)
                    : new Ceiling(maxDurationSeconds, "maxDurationSeconds (agent-to-agent call)");
        }
        return requested > 0 ? new Ceiling(requested, TIMEOUT_HEADER) : NONE;
    }

    /** The X-Timeout seconds: -1 when absent, 0 for "no ceiling". */
    private static long requested(String timeoutHeader) {
        if (timeoutHeader == null) {
            return -1;
        }
        String value = timeoutHeader.trim();
        if (!WHOLE_SECONDS.matcher(value).matches() || Long.parseLong(value) > DispatchSpec.MAX_SECONDS) {
            throw new HttpError(400, TIMEOUT_HEADER + " must be a whole number of seconds from 0 (no ceiling) to "
                    + DispatchSpec.MAX_SECONDS + ", got '" + timeoutHeader + "'");
        }
        return Long.parseLong(value);
    }

    public boolean exists() {
        return seconds > 0;
    }
}
