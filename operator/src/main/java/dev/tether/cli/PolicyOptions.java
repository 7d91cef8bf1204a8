package dev.tether.cli;

import dev.tether.config.DurationConverter;
import dev.tether.policy.PolicySettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The platform's dispatch bounds, as flags with environment fallbacks. */
public final class PolicyOptions {
    @Option(names = "--default-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_DEFAULT_IDLE_TIMEOUT:-300s}",
            description = "Idle timeout when neither the spec nor the runtime sets one. Env TETHER_DEFAULT_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration defaultIdleTimeout;

    @Option(names = "--min-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_MIN_IDLE_TIMEOUT:-10s}",
            description = "Smallest idle timeout a runtime may declare; smaller ones are clamped up. Env TETHER_MIN_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration minIdleTimeout;

    @Option(names = "--max-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_MAX_IDLE_TIMEOUT:-2h}",
            description = "Largest idle timeout a runtime may declare; larger ones are clamped down. Env TETHER_MAX_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration maxIdleTimeout;

    @Option(names = "--default-max-duration", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TETHER_DEFAULT_MAX_DURATION:-30m}",
            description = "Ceiling for agent-to-agent calls when the spec sets none. Env TETHER_DEFAULT_MAX_DURATION. Default: ${DEFAULT-VALUE}.")
    Duration defaultMaxDuration;

    public PolicySettings settings() {
        return new PolicySettings(defaultIdleTimeout, minIdleTimeout, maxIdleTimeout, defaultMaxDuration);
    }
}
