package dev.tether.discovery;

import dev.tether.api.Workspace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A workspace's peers in its namespace: its parent, its siblings (the same {@code spec.parentRef}; root
 * workspaces are siblings of each other) and its children, each group by name. Pure.
 */
final class Peers {
    /** One peer and how it relates to the workspace asking. */
    record Peer(Workspace workspace, String relation) {
    }

    private Peers() {
    }

    static List<Peer> of(Workspace self, List<Workspace> namespace, String query) {
        String name = self.getMetadata().getName();
        String parent = parentOf(self);
        List<Peer> peers = new ArrayList<>();
        namespace.stream().filter(ws -> ws.getMetadata().getName().equals(parent)).forEach(ws -> peers.add(new Peer(ws, "parent")));
        sorted(namespace).stream().filter(ws -> !ws.getMetadata().getName().equals(name) && Objects.equals(parentOf(ws), parent))
                .forEach(ws -> peers.add(new Peer(ws, "sibling")));
        sorted(namespace).stream().filter(ws -> name.equals(parentOf(ws))).forEach(ws -> peers.add(new Peer(ws, "child")));
        return query == null || query.isBlank() ? peers : peers.stream().filter(p -> matches(p.workspace(), query)).toList();
    }

    /** {@code q}: a case-insensitive substring of the peer's name or role. */
    static boolean matches(Workspace ws, String query) {
        String q = query.strip().toLowerCase(Locale.ROOT);
        String role = roleOf(ws);
        return ws.getMetadata().getName().toLowerCase(Locale.ROOT).contains(q) || role != null && role.toLowerCase(Locale.ROOT).contains(q);
    }

    static String parentOf(Workspace ws) {
        String parent = ws.getSpec() == null ? null : ws.getSpec().getParentRef();
        return parent == null || parent.isBlank() ? null : parent;
    }

    static String roleOf(Workspace ws) {
        String role = ws.getSpec() == null ? null : ws.getSpec().getRole();
        return role == null || role.isBlank() ? null : role;
    }

    private static List<Workspace> sorted(List<Workspace> workspaces) {
        return workspaces.stream().sorted(Comparator.comparing(ws -> ws.getMetadata().getName())).toList();
    }
}
