package dev.tether.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's quick start: the whole system in one process tells the story and succeeds. */
class DevDemoTest {
    @Test
    void silentAgentFailsAtTheDefaultWindowThenSucceedsOnceTheRuntimeDeclaresItsOwnAndAProvisionedRuntimeStarts() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        boolean succeeded;
        try (DevRole dev = DevRole.start(new DevRole.Settings(0, 0, Duration.ofSeconds(2), Duration.ofSeconds(3)))) {
            succeeded = new DevDemo(dev, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
        }
        String story = printed.toString(StandardCharsets.UTF_8);
        assertThat(succeeded).as(story).isTrue();
        assertThat(story).contains("-> 503 after", "source Default", "declares idle_timeout_seconds=6",
                "status.dispatch = 6s, source Runtime", "-> 200 after", "after 3s of thought",
                "Deployment provisioned-agent created (image " + DevRole.PROVISIONED_IMAGE, "runtime ready: 1/1 replicas, Ready=True",
                "heartbeat arrived at", "answered by pod provisioned-agent-", "phase Hibernated since",
                "the Deployment is scaled to 0 replicas", "held while the runtime wakes", "Demo succeeded");
    }

    @Test
    void bannerTellsAPersonHowToTryIt() {
        try (DevRole dev = DevRole.start(new DevRole.Settings(0, 0, Duration.ofSeconds(10), Duration.ofSeconds(15)))) {
            String token = dev.token(Duration.ofSeconds(30));
            String banner = dev.banner(token);
            assertThat(banner).contains(dev.proxyUrl() + "/registry/heartbeat", "Bearer " + token, "\"idle_timeout_seconds\":600",
                    dev.dispatchUrl(), dev.dispatchUrl(DevRole.PROVISIONED), "KUBECONFIG=" + dev.kubeconfig() + " kubectl get ws", "silent for 15s");
        }
    }
}
