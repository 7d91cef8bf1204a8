package dev.tether.proxy;

import java.util.Optional;
import java.util.regex.Pattern;

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
record WorkspaceRoute(WorkspaceKey workspace, Target target, String cardFile) {
    enum Target { DISPATCH, AGENT_CARD, BASE }

    static final String PREFIX = "/workspaces/";
    static final String CARD = "agent-card.json";
    static final String LEGACY_CARD = "agent.json";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    static Optional<WorkspaceRoute> parse(String path, String defaultNamespace) {
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
        if (!DNS_LABEL.matcher(namespace).matches() || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of(new WorkspaceRoute(new WorkspaceKey(namespace, name), target, cardFile));
    }

    /** The proxy's fully qualified dispatch path for this workspace, the URL agent cards are rewritten to. */
    String dispatchPath() {
        return PREFIX + workspace.namespace() + "/" + workspace.name() + "/a2a";
    }
}
