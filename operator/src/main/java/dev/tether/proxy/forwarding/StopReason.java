package dev.tether.proxy.forwarding;

import dev.tether.api.DispatchSource;
import dev.tether.api.WorkspaceId;
import java.util.LinkedHashMap;
import java.util.Map;

/** Why the proxy ended an exchange before the agent did. */
public record StopReason(Kind kind, long seconds, String rule) {
    /** Which limit, or which departure. */
    public enum Kind { IDLE_TIMEOUT, CEILING, DEADLINE, CLIENT_GONE, SHUTDOWN }

    static final StopReason CLIENT_GONE = new StopReason(Kind.CLIENT_GONE, 0, "caller disconnected");
    public static final StopReason SHUTDOWN = new StopReason(Kind.SHUTDOWN, 0, "proxy shutting down");

    static StopReason idle(IdleWindow window) {
        return new StopReason(Kind.IDLE_TIMEOUT, window.seconds(), window.source().name());
    }

    static StopReason ceiling(Ceiling ceiling) {
        return new StopReason(Kind.CEILING, ceiling.seconds(), ceiling.rule());
    }

    /** A deadline of the proxy's own (an agent card or a registry call that took too long). */
    static StopReason deadline(long seconds, String what) {
        return new StopReason(Kind.DEADLINE, seconds, what);
    }

    /** A sentence for the caller and the log: which limit fired, how large it was, and who set it. */
    public String describe(WorkspaceId workspace) {
        return switch (kind) {
            case IDLE_TIMEOUT -> "workspace " + workspace + " was silent for " + seconds + " s: no agent output and no healthy "
                    + "heartbeat within its idle timeout (" + seconds + " s, source " + rule + "); the dispatch was cancelled";
            case CEILING -> "dispatch to workspace " + workspace + " reached its ceiling of " + seconds + " s (set by " + rule
                    + "); the dispatch was cancelled";
            case DEADLINE -> rule + " did not answer within " + seconds + " s";
            case CLIENT_GONE -> "the caller of workspace " + workspace + " disconnected";
            case SHUTDOWN -> "the proxy is shutting down; the call to workspace " + workspace + " was cancelled";
        };
    }

    /** Machine-readable fields for an error body or a JSON-RPC error's data, including how long the exchange ran. */
    public Map<String, Object> details(WorkspaceId workspace, long startedNanos) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (workspace != null) {
            details.put("workspace", workspace.toString());
        }
        details.put("elapsed_ms", (System.nanoTime() - startedNanos) / 1_000_000);
        switch (kind) {
            case IDLE_TIMEOUT -> {
                details.put("idle_timeout_seconds", seconds);
                details.put("source", DispatchSource.valueOf(rule).name());
            }
            case CEILING -> {
                details.put("ceiling_seconds", seconds);
                details.put("ceiling", rule);
            }
            default -> details.put("reason", rule);
        }
        return details;
    }

    /** The HTTP answer when nothing has been sent to the caller yet. */
    public int status() {
        return switch (kind) {
            case IDLE_TIMEOUT, SHUTDOWN -> 503;
            case CEILING, DEADLINE -> 504;
            case CLIENT_GONE -> 499;
        };
    }

    /** Headers of that answer: an idle timeout says when trying again makes sense. */
    public Map<String, String> headers() {
        return kind == Kind.IDLE_TIMEOUT ? Map.of("Retry-After", Long.toString(seconds)) : Map.of();
    }

    public Outcome outcome() {
        return switch (kind) {
            case IDLE_TIMEOUT -> Outcome.IDLE_TIMEOUT;
            case CEILING, DEADLINE -> Outcome.CEILING;
            case CLIENT_GONE, SHUTDOWN -> Outcome.CLIENT_GONE;
        };
    }
}
