package dev.tether.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** Which Workspaces a role watches, where a bare workspace name resolves, and where proxies report their activity. */
public final class WatchOptions {
    @Option(names = "--namespaces", split = ",", paramLabel = "NS",
            defaultValue = "${env:TETHER_NAMESPACES:-}",
            description = "Namespaces to watch, comma-separated; empty watches all namespaces. Env TETHER_NAMESPACES. Default: all.")
    List<String> namespaces;

    @Option(names = "--default-namespace", paramLabel = "NS",
            defaultValue = "${env:TETHER_DEFAULT_NAMESPACE:-default}",
            description = "Namespace for a bare workspace name (heartbeat workspace_id, proxy route). Env TETHER_DEFAULT_NAMESPACE. Default: ${DEFAULT-VALUE}.")
    String defaultNamespace;

    @Option(names = "--activity-namespace", paramLabel = "NS",
            defaultValue = "${env:TETHER_ACTIVITY_NAMESPACE:-default}",
            description = "Namespace of the activity Leases proxies write while they dispatch to a provisioned workspace and the operator "
                    + "reads before it hibernates one; the same for both roles (the chart uses the release namespace). "
                    + "Env TETHER_ACTIVITY_NAMESPACE. Default: ${DEFAULT-VALUE}.")
    String activityNamespace;

    /** The watched namespaces without blanks; empty means all. */
    public List<String> namespaces() {
        return namespaces == null ? List.of() : namespaces.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public String defaultNamespace() {
        return defaultNamespace;
    }

    public String activityNamespace() {
        return activityNamespace;
    }
}
