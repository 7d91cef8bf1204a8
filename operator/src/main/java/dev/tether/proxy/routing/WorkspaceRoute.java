package dev.tether.proxy.routing;

import dev.tether.a2a.WorkspacePaths;
import dev.tether.api.WorkspaceId;
import java.util.Optional;

/**
 * What a path under {@code /workspaces/} asks for. Pure: no lookups.
 *
 * <pre>
 * /workspaces/{ns}/{name}/a2a                          JSON-RPC dispatch
 * /workspaces/{name}/a2a                               JSON-RPC dispatch, default namespace
 * /workspaces/{ns}/{name}/rest/{route}                 HTTP+JSON (REST) transport: /v1/message:send, /v1/tasks/{id}, ...
 * /workspaces/{ns}/{name}/.well-known/agent-card.json  agent card (also agent.json)
 * /workspaces/{name}/.well-known/agent-card.json       agent card, default namespace
 * /workspaces/{ns}/{name}/   and  /workspaces/{name}/  the base URL an A2A SDK is given: GET card, POST dispatch
 * </pre>
 * Segment counts keep the forms apart; a trailing slash marks a base URL. The REST form always names the namespace,
 * as served cards do. {@code restRoute} is the REST route as the caller sent it (still percent-encoded, with its query).
 */
public record WorkspaceRoute(WorkspaceId workspace, Target target, String cardFile, String restRoute) {
    public enum Target { DISPATCH, REST, AGENT_CARD, BASE }

    public static final String CARD = "agent-card.json";
    public static final String LEGACY_CARD = "agent.json";
    private static final String REST = WorkspacePaths.REST_SUFFIX.substring(1);

    /**
     * @param path the decoded path
     * @param rawPathAndQuery the path as sent, with its query; its segments match {@code path}'s (encoded slashes are
     *     refused before routing)
     */
    public static Optional<WorkspaceRoute> parse(String path, String rawPathAndQuery, String defaultNamespace) {
        if (path == null || !path.startsWith(WorkspacePaths.PREFIX)) {
            return Optional.empty();
        }
        String[] s = path.substring(WorkspacePaths.PREFIX.length()).split("/", -1);
        if (s.length >= 3 && s[2].equals(REST)) {
            return WorkspaceId.of(s[0], s[1]).map(id -> new WorkspaceRoute(id, Target.REST, null, restRoute(rawPathAndQuery)));
        }
        return switch (s.length) {
            case 2 -> s[1].equals("a2a") ? route(defaultNamespace, s[0], Target.DISPATCH, null)
                    : s[1].isEmpty() ? route(defaultNamespace, s[0], Target.BASE, CARD) : Optional.empty();
            case 3 -> s[2].equals("a2a") ? route(s[0], s[1], Target.DISPATCH, null)
                    : s[2].isEmpty() ? route(s[0], s[1], Target.BASE, CARD)
                    : s[1].equals(".well-known") ? card(defaultNamespace, s[0], s[2]) : Optional.empty();
            case 4 -> s[2].equals(".well-known") ? card(s[0], s[1], s[3]) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** What follows {@code /workspaces/{ns}/{name}/rest} in the raw target: "" or "/...", then the query. */
    private static String restRoute(String raw) {
        int q = raw.indexOf('?');
        String path = q < 0 ? raw : raw.substring(0, q);
        String query = q < 0 ? "" : raw.substring(q);
        int at = 0;
        for (int i = 0; i < 4 && at >= 0; i++) {
            at = path.indexOf('/', at + 1);
        }
        return (at < 0 ? "" : path.substring(at)) + query;
    }

    private static Optional<WorkspaceRoute> card(String namespace, String name, String file) {
        return file.equals(CARD) || file.equals(LEGACY_CARD) ? route(namespace, name, Target.AGENT_CARD, file) : Optional.empty();
    }

    private static Optional<WorkspaceRoute> route(String namespace, String name, Target target, String cardFile) {
        return WorkspaceId.of(namespace, name).map(id -> new WorkspaceRoute(id, target, cardFile, null));
    }
}
