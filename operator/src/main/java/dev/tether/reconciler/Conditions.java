package dev.tether.reconciler;

import dev.tether.api.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/** Builds standard conditions whose lastTransitionTime moves only when their status changes. */
final class Conditions {
    static final String READY = "Ready";
    static final String LIVE = "Live";
    static final String DEGRADED = "Degraded";
    static final String TRUE = "True";
    static final String FALSE = "False";

    private Conditions() {
    }

    static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.type())).findFirst().orElse(null);
    }

    static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && TRUE.equals(c.status());
    }

    static Condition next(List<Condition> previous, String type, boolean status, String reason, String message,
            long generation, Instant now) {
        String value = status ? TRUE : FALSE;
        Condition before = find(previous, type);
        String since = before != null && Objects.equals(before.status(), value) && before.lastTransitionTime() != null
                ? before.lastTransitionTime()
                : now.truncatedTo(ChronoUnit.SECONDS).toString(); // metav1.Time: RFC 3339, whole seconds
        return new Condition(type, value, reason, message, since, generation);
    }
}
