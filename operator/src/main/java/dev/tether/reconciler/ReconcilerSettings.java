package dev.tether.reconciler;

import dev.tether.config.InvalidSettingException;
import dev.tether.policy.PolicySettings;
import java.time.Duration;

/** What the reconciler needs to decide: the dispatch bounds and when a silent runtime counts as Offline. */
public record ReconcilerSettings(PolicySettings policy, Duration offlineAfter) {
    public ReconcilerSettings {
        if (offlineAfter == null || offlineAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidSettingException("--offline-after", "must be at least 1s");
        }
    }
}
