package dev.tether.proxy.routing;

import dev.tether.api.WorkspaceId;
import java.util.Optional;

/**
 * What a path under {@code /workspaces/} asks for. Pure: no lookups.
 *
 * <pre>
 * /workspaces/{ns}/{name}/a2a                          dispatch
 * /workspaces/{name}/a2a                               dispatch, default namespace
 * /workspaces/{ns}/{name}/.well-known/agent-card.json  agent card (also agent.json)
 * /workspaces/{name}/.well-known/agent-card.json       agent card, default namespace
 * /workspaces/{ns}/{name}/   and  /workspaces/{name}/  the base URL an A2A SDK is given: GET card, POST dispatch
 * </pre>
 * Segment counts keep the forms apart; a trailing slash marks a base URL.
 */
public record WorkspaceRoute(WorkspaceId workspace, Target target, String cardFile) {
    public enum Target { DISPATCH, AGENT_CARD, BASE }

    public static final String PREFIX = "/workspaces/";
    public static final String CARD = "agent-card.json";
    public static final String LEGACY_CARD = "agent.json";

    public static Optional<WorkspaceRoute> parse(String path, String defaultNamespace) {
        if (path == null || !path.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] s = path.substring(PREFIX.length()).split("/", -1);
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

    private static Optional<WorkspaceRoute> card(String namespace, String name, String file) {
        return file.equals(CARD) || file.equals(LEGACY_CARD) ? route(namespace, name, Target.AGENT_CARD, file) : Optional.empty();
    }

    private static Optional<WorkspaceRoute> route(String namespace, String name, Target target, String cardFile) {
        return WorkspaceId.of(namespace, name).map(id -> new WorkspaceRoute(id, target, cardFile));
    }

    /** The proxy's fully qualified dispatch path for this workspace, the URL agent cards are rewritten to. */
    public String dispatchPath() {
        return PREFIX + workspace.namespace() + "/" + workspace.name() + "/a2a";
    }
}
