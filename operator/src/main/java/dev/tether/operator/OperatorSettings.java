package dev.tether.operator;

import dev.tether.config.BaseUrls;
import dev.tether.config.InvalidSettingException;
import dev.tether.reconciler.ReconcilerSettings;
import java.time.Duration;
import java.util.List;

/**
 * Everything the operator role is configured with; validated once, at start-up.
 *
 * @param platformUrl the one base URL runtimes and callers reach Tether at (the proxy's Service, which also relays
 *                    {@code /registry/*}); discovery answers name workspaces under it. Null: taken from each request.
 * @param activityNamespace where proxies write their activity Leases, read before a workspace is hibernated
 */
public record OperatorSettings(int port, List<String> namespaces, String defaultNamespace, ReconcilerSettings reconciler,
        Duration heartbeatStatusInterval, boolean leaderElection, String platformUrl, String activityNamespace) {

    public OperatorSettings {
        if (port < 0 || port > 65_535) {
            throw new InvalidSettingException("--port", "must be between 0 and 65535, got " + port);
        }
        if (defaultNamespace == null || defaultNamespace.isBlank()) {
            throw new InvalidSettingException("--default-namespace", "must not be empty");
        }
        if (heartbeatStatusInterval == null || heartbeatStatusInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidSettingException("--heartbeat-status-interval", "must be at least 1s");
        }
        // A healthy runtime's lastHeartbeatTime must be refreshed well before it would count as Offline.
        if (reconciler.offlineAfter().compareTo(heartbeatStatusInterval.multipliedBy(2)) < 0) {
            throw new InvalidSettingException("--offline-after", "must be at least twice --heartbeat-status-interval ("
                    + heartbeatStatusInterval.toSeconds() + "s), got " + reconciler.offlineAfter().toSeconds() + "s");
        }
        if (activityNamespace == null || activityNamespace.isBlank()) {
            throw new InvalidSettingException("--activity-namespace", "must not be empty");
        }
        namespaces = List.copyOf(namespaces);
        platformUrl = BaseUrls.parse("--platform-url", platformUrl);
    }
}
