package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.BadInputCorpus;
import dev.tether.testing.MockKubeApi;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bad-input corpus ({@link BadInputCorpus#proxy()}) against a dispatch: every malformed request
 * gets its one expected status, none reaches the agent, and no Workspace status is written.
 */
class ProxyBadInputCorpusTest {
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder());
        rig.agent.on("/a2a", rig.agent.answerAfter(Duration.ZERO));
        rig.workspace("alpha", "/a2a");
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedDispatchGetsItsStatusAndReachesNoAgent() {
        BadInputCorpus.Target target = new BadInputCorpus.Target(null, null, null, "/workspaces/" + ProxyRig.NS + "/alpha/a2a", null, null);
        int port = rig.proxy.port();
        assertThat(BadInputCorpus.proxy()).hasSizeGreaterThanOrEqualTo(80);
        return BadInputCorpus.proxy().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            long writes = kube.allStatusWrites();
            int forwarded = rig.agent.receivedCount();

            int status = c.request().apply(target).send(port, ANSWER_WITHIN);

            assertThat(status).as(c.toString()).isEqualTo(c.expected());
            assertThat(rig.agent.receivedCount()).as("requests the agent received after " + c).isEqualTo(forwarded);
            assertThat(kube.allStatusWrites()).as("status writes after " + c).isEqualTo(writes);
        }));
    }
}
