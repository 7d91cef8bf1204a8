package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.WorkspaceStatus;
import dev.tether.testing.BadInputCorpus;
import dev.tether.testing.MockKubeApi;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bad-input corpus ({@link BadInputCorpus#registry()}) against the operator's registry endpoints
 * on the mock API: every malformed heartbeat, registration and card update gets its one expected
 * status, and none of them writes the Workspace's status.
 */
class RegistryBadInputCorpusTest {
    static final String NS = "team-a";
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    RegistryFixture registry;

    @BeforeEach
    void start() {
        registry = new RegistryFixture(kube.client(), NS, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void theCorpusHasAtLeastTwoHundredRequests() {
        List<BadInputCorpus.Case> all = Stream.concat(BadInputCorpus.registry().stream(), BadInputCorpus.proxy().stream()).toList();
        System.out.println("bad-input corpus: " + all.size() + " requests; registry " + BadInputCorpus.summary(BadInputCorpus.registry())
                + "; proxy " + BadInputCorpus.summary(BadInputCorpus.proxy()));
        assertThat(all).hasSizeGreaterThanOrEqualTo(200);
        assertThat(BadInputCorpus.registry()).extracting(BadInputCorpus.Case::toString).doesNotHaveDuplicates();
        assertThat(BadInputCorpus.proxy()).extracting(BadInputCorpus.Case::toString).doesNotHaveDuplicates();
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedRequestGetsItsStatusAndWritesNothing() {
        String token = registry.workspaceWithToken("researcher");
        BadInputCorpus.Target target = new BadInputCorpus.Target("/registry/heartbeat", "/registry/register",
                "/registry/update-card", null, token, NS + "/researcher");
        int port = registry.operator.port();
        return BadInputCorpus.registry().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            long writes = registryWrites();
            List<Object> before = registryFields();

            int status = c.request().apply(target).send(port, ANSWER_WITHIN);

            assertThat(status).as(c.toString()).isEqualTo(c.expected());
            assertThat(registryWrites()).as("registry status PATCHes after " + c).isEqualTo(writes);
            assertThat(registryFields()).as("status written by the registry, after " + c).isEqualTo(before);
        }));
    }

    /** Status PATCHes by the registry endpoints (the reconciler's own status writes carry none of these fields). */
    long registryWrites() {
        return kube.count(r -> r.method().equals("PATCH") && r.path().contains("/workspaces/researcher/status")
                && (r.body().contains("lastHeartbeatTime") || r.body().contains("registration")));
    }

    /** What the registry endpoints write: last heartbeat time, runtime report, registration. */
    List<Object> registryFields() {
        WorkspaceStatus status = registry.get("researcher").getStatus();
        return Arrays.asList(status.getLastHeartbeatTime(), status.getRuntime(), status.getRegistration());
    }
}
