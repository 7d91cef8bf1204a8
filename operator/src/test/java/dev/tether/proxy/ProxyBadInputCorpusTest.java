package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.BadInputCorpus;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.RawHttp;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bad-input corpus ({@link BadInputCorpus#proxy()}) against a dispatch: every malformed request
 * gets its one expected status and nothing at all reaches the agent. A well-formed dispatch sent the
 * same way comes last and must reach it, so "nothing reached the agent" cannot mean an agent the proxy
 * could not reach anyway.
 */
class ProxyBadInputCorpusTest {
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    ProxyRig rig;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube.client(), ProxySettings.builder());
        rig.agent.on("/a2a", x -> x.reply(200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}"));
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
        assertThat(BadInputCorpus.proxy()).hasSizeGreaterThanOrEqualTo(42);
        Stream<DynamicTest> rows = BadInputCorpus.proxy().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            int forwarded = rig.agent.receivedCount();

            int status = c.request().apply(target).send(port, ANSWER_WITHIN);

            assertThat(status).as(c.toString()).isEqualTo(c.expected());
            assertThat(rig.agent.receivedSince(forwarded)).as("what reached the agent from " + c).isEmpty();
        }));
        DynamicTest control = DynamicTest.dynamicTest("control: a well-formed dispatch sent the same way -> 200, forwarded", () -> {
            int status = RawHttp.postJson(target.a2a(), null, ProxyRig.MESSAGE).send(port, ANSWER_WITHIN);

            assertThat(status).isEqualTo(200);
            assertThat(rig.agent.received()).as("what reached the agent from the whole corpus and then this").singleElement()
                    .satisfies(r -> assertThat(r.json().at("/params/message/messageId").asText()).isEqualTo("m-1"));
        });
        return Stream.concat(rows, Stream.of(control));
    }

    /**
     * Bodies that are no valid A2A request but not the legacy shape either, JSON or not: the agent's to judge, so they
     * arrive byte for byte, whatever their framing on the way in, and the agent's answer is the caller's.
     */
    @TestFactory
    Stream<DynamicTest> whatTheAgentMustJudgeArrivesByteForByte() {
        String path = "/workspaces/" + ProxyRig.NS + "/alpha/a2a";
        int port = rig.proxy.port();
        return BadInputCorpus.proxyForwardedAsSent().stream().map(body -> DynamicTest.dynamicTest(body.name(), () -> {
            int forwarded = rig.agent.receivedCount();

            int status = RawHttp.postJson(path, null, body.bytes()).without("Content-Type").header("Content-Type: text/plain")
                    .send(port, ANSWER_WITHIN);

            assertThat(status).as("the agent's answer").isEqualTo(200);
            assertThat(rig.agent.receivedSince(forwarded)).singleElement().satisfies(r -> {
                assertThat(r.bytes()).isEqualTo(body.bytes());
                assertThat(r.header("Content-Type")).as("never rewritten for a body passed as sent").isEqualTo("text/plain");
            });
        }));
    }

    @Test
    void anObsoleteFoldedHeaderReachesTheAgentUnfolded() {
        int status = RawHttp.postJson("/workspaces/" + ProxyRig.NS + "/alpha/a2a", null, ProxyRig.MESSAGE)
                .header("X-Fold: a").header(" folded").send(rig.proxy.port(), ANSWER_WITHIN);

        assertThat(status).isEqualTo(200);
        assertThat(rig.agent.last().header("X-Fold")).as("RFC 9112 5.2: replaced with a space before forwarding").isEqualTo("a folded");
    }
}
