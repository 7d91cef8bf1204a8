package dev.tether.access;

import dev.tether.api.WorkspaceId;
import dev.tether.reconciler.TokenSecrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Who may call whom through the proxy. Pure: the caller's identity from {@code X-Workspace-ID}, token
 * verification against a published SHA-256, and the hierarchy rule over {@code spec.parentRef}.
 *
 * <p>Hierarchy: a workspace may call itself, its siblings (same parent; two root workspaces are
 * siblings too), its ancestors and its descendants, all in one namespace. Parent chains are followed
 * at most {@link #MAX_DEPTH} hops and stop at a cycle, so a malformed hierarchy cannot loop or widen
 * access.
 */
public final class CallerRules {
    /** Caller ids the old platform used for its own traffic; never accepted from outside. */
    public static final List<String> RESERVED_PREFIXES = List.of("system:", "webhook:", "test:", "channel:");
    static final int MAX_DEPTH = 16;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    /** What an {@code X-Workspace-ID} value says. */
    public sealed interface CallerId permits Canvas, Reserved, Malformed, Agent {
    }

    /** No caller named: a canvas (human) call. */
    public record Canvas() implements CallerId {
    }

    /** A reserved internal id such as {@code system:scheduler}. */
    public record Reserved(String prefix) implements CallerId {
    }

    /** Not a workspace id. */
    public record Malformed() implements CallerId {
    }

    /** Another workspace. */
    public record Agent(WorkspaceId workspace) implements CallerId {
    }

    private CallerRules() {
    }

    /** Reads {@code X-Workspace-ID}: {@code namespace/name}, or a bare {@code name} in {@code defaultNamespace}. */
    public static CallerId callerId(String header, String defaultNamespace) {
        if (header == null || header.isBlank()) {
            return new Canvas();
        }
        String id = header.trim();
        String lower = id.toLowerCase(Locale.ROOT);
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return new Reserved(prefix);
            }
        }
        return WorkspaceId.parse(id, defaultNamespace).<CallerId>map(Agent::new).orElseGet(Malformed::new);
    }

    /**
     * True when SHA-256({@code presented}) equals {@code expectedSha256Hex}. Both sides are compared as
     * 32-byte digests with {@link MessageDigest#isEqual}, so the time taken does not depend on where
     * they differ nor on the presented token's length.
     */
    public static boolean tokenMatches(String presented, String expectedSha256Hex) {
        if (presented == null || expectedSha256Hex == null || !SHA256_HEX.matcher(expectedSha256Hex).matches()) {
            return false;
        }
        byte[] expected = expectedSha256Hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        byte[] actual = TokenSecrets.sha256(presented).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, actual);
    }

    /**
     * The hierarchy rule. {@code parentOf} gives a workspace's {@code spec.parentRef} in the namespace
     * (empty for a root or an unknown workspace).
     */
    public static boolean mayCall(WorkspaceId caller, WorkspaceId target, Function<WorkspaceId, Optional<String>> parentOf) {
        if (!caller.namespace().equals(target.namespace())) {
            return false;
        }
        if (caller.equals(target)) {
            return true;
        }
        Optional<String> callerParent = parentOf.apply(caller);
        Optional<String> targetParent = parentOf.apply(target);
        if (Objects.equals(callerParent, targetParent)) {
            return true; // siblings, or two roots
        }
        return ancestors(caller, parentOf).contains(target.name()) || ancestors(target, parentOf).contains(caller.name());
    }

    /** Names above {@code workspace}, nearest first: at most {@link #MAX_DEPTH}, ending at a root, an unknown parent or a cycle. */
    public static List<String> ancestors(WorkspaceId workspace, Function<WorkspaceId, Optional<String>> parentOf) {
        List<String> chain = new ArrayList<>();
        WorkspaceId current = workspace;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            Optional<String> parent = parentOf.apply(current);
            if (parent.isEmpty() || parent.get().equals(workspace.name()) || chain.contains(parent.get())) {
                break;
            }
            chain.add(parent.get());
            current = workspace.sibling(parent.get());
        }
        return List.copyOf(chain);
    }
}
