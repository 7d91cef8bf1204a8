package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The runtime's self-report from its latest heartbeat. Empty strings are stored as absent: JSON merge
 * patch on Kubernetes 1.20-era API servers turns "" into null, which the schema rejects.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuntimeStatus(
        @JsonPropertyDescription("Capabilities the runtime owns natively (name to enabled); unknown names are kept. Absent when the runtime declared none.")
        Map<String, Boolean> capabilities,

        @JsonPropertyDescription("The idle timeout in seconds the runtime declared it needs; absent when it declared none.")
        Integer idleTimeoutSeconds,

        @JsonPropertyDescription("Runtime state as the runtime reported it: absent when healthy, 'wedged' when alive but unable to make progress.")
        String state,

        @JsonPropertyDescription("Tasks the runtime reports as running.")
        Integer activeTasks,

        @JsonPropertyDescription("What the runtime is working on, as it reported.")
        String currentTask,

        @JsonPropertyDescription("Recent error rate reported by the runtime, between 0 and 1.")
        Double errorRate,

        @JsonPropertyDescription("A sample of the runtime's recent errors.")
        String sampleError,

        @JsonPropertyDescription("Seconds since the runtime started.")
        Long uptimeSeconds,

        @JsonPropertyDescription("The runtime's spend this month in cents.")
        Long monthlySpendCents,

        @JsonPropertyDescription("When a heartbeat last carried runtime_metadata (RFC 3339). Beats without it keep the declared capabilities and idle timeout; the declaration lapses when none has been renewed for the operator's offline window.")
        String declaredTime) {

    /** The state a runtime reports when it is alive but cannot make progress. */
    public static final String WEDGED = "wedged";

    /** {@link #declaredTime()} as an instant; null when absent or unparsable. */
    @JsonIgnore
    public Instant declaredAt() {
        try {
            return declaredTime == null ? null : Instant.parse(declaredTime);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The one wedge rule: the reported state is "wedged", in any letter case. A wedged runtime's heartbeats are no sign of progress. */
    @JsonIgnore
    public boolean wedged() {
        return WEDGED.equalsIgnoreCase(state);
    }
}
