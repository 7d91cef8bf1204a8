package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The reconciler's record of a provisioned workspace's sleep cycle. Nulls are written, so a merge patch clears what no longer applies. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record HibernationStatus(
        @JsonPropertyDescription("Awake, Hibernated (scaled to zero) or Waking (scaled up for a dispatch, not yet ready).")
        HibernationState state,

        @JsonPropertyDescription("When the workspace entered this state (RFC 3339).")
        String since,

        @JsonPropertyDescription("Awake only: since when nothing has been in flight, queued or held on any proxy replica and the runtime reports "
                + "no active task (RFC 3339); absent while something is. spec.hibernation.idleAfterSeconds counts from here.")
        String idleSince,

        @JsonPropertyDescription("Waking only: when the first dispatch that woke it arrived at a proxy (RFC 3339).")
        String wakeRequestedTime,

        @JsonPropertyDescription("The last value of the tether.dev/hibernate annotation acted on (or refused): each new value asks once.")
        String request) {

    /** Written to clear the record of a workspace no longer provisioned. */
    public static final HibernationStatus NONE = new HibernationStatus(null, null, null, null, null);

    public static HibernationStatus awake(Instant since, Instant idleSince) {
        return new HibernationStatus(HibernationState.Awake, since.toString(), idleSince == null ? null : idleSince.toString(), null, null);
    }

    public static HibernationStatus hibernated(Instant since) {
        return new HibernationStatus(HibernationState.Hibernated, since.toString(), null, null, null);
    }

    public static HibernationStatus waking(Instant since, Instant requested) {
        return new HibernationStatus(HibernationState.Waking, since.toString(), null, requested.toString(), null);
    }

    /** The same record, with {@code value} as the last request acted on. */
    public HibernationStatus withRequest(String value) {
        return new HibernationStatus(state, since, idleSince, wakeRequestedTime, value);
    }

    @JsonIgnore
    public Instant sinceTime() {
        return instant(since);
    }

    @JsonIgnore
    public Instant idleSinceTime() {
        return instant(idleSince);
    }

    @JsonIgnore
    public Instant wakeRequestedAt() {
        return instant(wakeRequestedTime);
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
