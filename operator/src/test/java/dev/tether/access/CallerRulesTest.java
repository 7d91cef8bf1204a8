package dev.tether.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.WorkspaceId;
import dev.tether.reconciler.TokenSecrets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure caller rules: who a caller says it is, whether its token matches, and whom it may call. */
class CallerRulesTest {
    static final String NS = "team-a";

    /**
     * <pre>
     * root ── lead ── dev ── intern        other-root ── helper
     *      └─ qa
     * </pre>
     */
    final Map<String, String> parents = new HashMap<>(Map.of("lead", "root", "qa", "root", "dev", "lead", "intern", "dev",
            "helper", "other-root"));

    Function<WorkspaceId, Optional<String>> parentOf() {
        return key -> Optional.ofNullable(key.namespace().equals(NS) ? parents.get(key.name()) : null);
    }

    static WorkspaceId ws(String name) {
        return new WorkspaceId(NS, name);
    }

    boolean mayCall(String caller, String target) {
        return CallerRules.mayCall(ws(caller), ws(target), parentOf());
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(textBlock = """
            dev,        dev,        true
            lead,       qa,         true
            root,       other-root, true
            root,       intern,     true
            intern,     root,       true
            intern,     lead,       true
            lead,       intern,     true
            dev,        qa,         false
            intern,     qa,         false
            qa,         intern,     false
            helper,     lead,       false
            root,       helper,     false
            helper,     other-root, true
            """)
    void hierarchyAllowsSelfSiblingsAncestorsAndDescendantsOnly(String caller, String target, boolean allowed) {
        assertThat(mayCall(caller, target)).isEqualTo(allowed);
    }

    @Test
    void anotherNamespaceIsNeverInTheHierarchyEvenUnderTheSameName() {
        assertThat(CallerRules.mayCall(new WorkspaceId("team-b", "dev"), ws("dev"), parentOf())).isFalse();
        assertThat(CallerRules.mayCall(new WorkspaceId("team-b", "root"), ws("other-root"), parentOf())).isFalse();
    }

    @Test
    void cyclesEndTheWalkWithoutLoopingOrGrantingAccess() {
        parents.put("a", "b");
        parents.put("b", "c");
        parents.put("c", "a");
        parents.put("self", "self");

        assertThat(CallerRules.ancestors(ws("a"), parentOf())).containsExactly("b", "c");
        assertThat(CallerRules.ancestors(ws("self"), parentOf())).isEmpty();
        assertThat(mayCall("a", "c")).as("c is a's ancestor within the cycle").isTrue();
        assertThat(mayCall("a", "root")).isFalse();
        assertThat(mayCall("self", "dev")).isFalse();
    }

    @Test
    void ancestorsAreFollowedAtMostSixteenHops() {
        for (int i = 0; i < 40; i++) {
            parents.put("n" + i, "n" + (i + 1));
        }

        assertThat(CallerRules.ancestors(ws("n0"), parentOf())).hasSize(CallerRules.MAX_DEPTH).startsWith("n1").endsWith("n16");
        assertThat(mayCall("n0", "n16")).isTrue();
        assertThat(mayCall("n0", "n17")).as("beyond the depth bound").isFalse();
        assertThat(mayCall("n17", "n0")).isFalse();
    }

    @Test
    void anUnknownParentStillMakesSiblingsOfWorkspacesThatNameIt() {
        parents.put("x", "gone");
        parents.put("y", "gone");
        assertThat(mayCall("x", "y")).isTrue();
        assertThat(mayCall("x", "root")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"system:scheduler", "webhook:github", "test:fixture", "channel:slack", "SYSTEM:x", " system:x"})
    void reservedCallerIdsAreRecognisedWhateverTheCase(String header) {
        assertThat(CallerRules.callerId(header, NS)).isInstanceOf(CallerRules.Reserved.class);
    }

    @Test
    void callerIdsResolveLikeWorkspaceIds() {
        assertThat(CallerRules.callerId(null, NS)).isInstanceOf(CallerRules.Canvas.class);
        assertThat(CallerRules.callerId("  ", NS)).isInstanceOf(CallerRules.Canvas.class);
        assertThat(CallerRules.callerId("dev", NS)).isEqualTo(new CallerRules.Agent(ws("dev")));
        assertThat(CallerRules.callerId("team-b/dev", NS)).isEqualTo(new CallerRules.Agent(new WorkspaceId("team-b", "dev")));
        for (String bad : new String[] {"Dev", "a/b/c", "../dev", "dev/", "/dev", "x".repeat(254), "dev name"}) {
            assertThat(CallerRules.callerId(bad, NS)).as(bad).isInstanceOf(CallerRules.Malformed.class);
        }
    }

    @Test
    void tokensMatchOnlyTheirOwnPublishedHash() {
        String hash = TokenSecrets.sha256("s3cret");

        assertThat(CallerRules.tokenMatches("s3cret", hash)).isTrue();
        assertThat(CallerRules.tokenMatches("s3cret", hash.toUpperCase())).isTrue();
        assertThat(CallerRules.tokenMatches("s3cret ", hash)).isFalse();
        assertThat(CallerRules.tokenMatches("other", hash)).isFalse();
        assertThat(CallerRules.tokenMatches(hash, hash)).as("the hash is not a token").isFalse();
        assertThat(CallerRules.tokenMatches("s3cret", null)).as("nothing published yet").isFalse();
        assertThat(CallerRules.tokenMatches("s3cret", "abc")).as("not a SHA-256").isFalse();
        assertThat(CallerRules.tokenMatches(null, hash)).isFalse();
    }
}
