package dev.tether.policy;

import dev.tether.api.DispatchSpec;
import dev.tether.config.DurationConverter;
import dev.tether.config.InvalidSettingException;
import java.time.Duration;

/**
 * The platform's dispatch bounds: the default idle timeout, the range a runtime may declare within,
 * and the default ceiling for agent-to-agent calls. Invalid combinations fail at start-up instead of
 * silently falling back, as the system Tether replaces did.
 */
public record PolicySettings(Duration defaultIdleTimeout, Duration minIdleTimeout, Duration maxIdleTimeout,
        Duration defaultMaxDuration) {

    public static final PolicySettings DEFAULTS = new PolicySettings(
            Duration.ofSeconds(300), Duration.ofSeconds(10), Duration.ofHours(2), Duration.ofMinutes(30));

    public PolicySettings {
        requireWholeSeconds("--default-idle-timeout", defaultIdleTimeout);
        requireWholeSeconds("--min-idle-timeout", minIdleTimeout);
        requireWholeSeconds("--max-idle-timeout", maxIdleTimeout);
        requireWholeSeconds("--default-max-duration", defaultMaxDuration);
        if (minIdleTimeout.compareTo(maxIdleTimeout) > 0) {
            throw new InvalidSettingException("--min-idle-timeout", "must not exceed --max-idle-timeout ("
                    + DurationConverter.format(minIdleTimeout) + " > " + DurationConverter.format(maxIdleTimeout) + ")");
        }
        if (defaultIdleTimeout.compareTo(minIdleTimeout) < 0 || defaultIdleTimeout.compareTo(maxIdleTimeout) > 0) {
            throw new InvalidSettingException("--default-idle-timeout", "must lie within --min-idle-timeout and --max-idle-timeout ("
                    + DurationConverter.format(minIdleTimeout) + ".." + DurationConverter.format(maxIdleTimeout) + "), got "
                    + DurationConverter.format(defaultIdleTimeout));
        }
    }

    /** Stops start-up unless {@code value} is a positive whole number of seconds of at most 24 h. */
    public static void requireWholeSeconds(String flag, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidSettingException(flag, "must be positive");
        }
        if (value.toMillisPart() != 0) {
            throw new InvalidSettingException(flag, "must be whole seconds, got " + DurationConverter.format(value));
        }
        if (value.toSeconds() > DispatchSpec.MAX_SECONDS) {
            throw new InvalidSettingException(flag, "must be at most 24h, got " + DurationConverter.format(value));
        }
    }

    public int defaultIdleSeconds() {
        return (int) defaultIdleTimeout.toSeconds();
    }

    public int minIdleSeconds() {
        return (int) minIdleTimeout.toSeconds();
    }

    public int maxIdleSeconds() {
        return (int) maxIdleTimeout.toSeconds();
    }

    public int defaultMaxDurationSeconds() {
        return (int) defaultMaxDuration.toSeconds();
    }
}
