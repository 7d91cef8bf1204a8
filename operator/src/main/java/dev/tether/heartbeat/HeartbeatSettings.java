package dev.tether.heartbeat;

import dev.tether.policy.PolicySettings;
import java.time.Duration;

/**
 * What the registry endpoints need: where bare ids resolve, the write-economy interval, the dispatch bounds,
 * how long a runtime's declaration holds without renewal (the operator's offline window), and the base URL
 * runtimes and callers reach the platform at (null: derived from each request).
 */
public record HeartbeatSettings(String defaultNamespace, Duration statusInterval, PolicySettings policy,
        Duration declarationLapse, String platformUrl) {
    /** Largest heartbeat body accepted. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Largest register / update-card body (an agent card can be sizeable). */
    public static final int MAX_REGISTER_BODY_BYTES = 256 * 1024;
    /** Seconds a runtime is told to wait when the API server cannot be reached. */
    public static final int RETRY_AFTER_SECONDS = 5;
}
