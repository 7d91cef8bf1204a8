package dev.tether.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.Kubectl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubectl binary against dev's embedded API, with the kubeconfig the banner prints: what a newcomer types. */
class DevKubectlTest {
    static DevRole dev;
    static Kubectl kubectl;

    @BeforeAll
    static void start() {
        dev = DevRole.start(new DevRole.Settings(0, 0, Duration.ofSeconds(10), Duration.ofSeconds(1)));
        kubectl = new Kubectl(dev.kubeconfig());
    }

    @AfterAll
    static void stop() {
        dev.close();
    }

    @Test
    void getShowsThePrinterColumnsAndDescribeTheConditions() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("get", "ws").ok().out())
                .contains("PHASE", "IDLE TIMEOUT", "SOURCE").containsPattern("sample-agent .*Pending"));
        assertThat(kubectl.run("get", "workspaces", "-A").ok().out()).contains("NAMESPACE", "default", "sample-agent");
        assertThat(kubectl.run("describe", "ws", DevRole.WORKSPACE).ok().out())
                .contains("Name:         sample-agent", "Type:                  Ready", "Source:                Default");
    }

    @Test
    void theTokenRecipeOfTheReadmePrintsTheToken() {
        String encoded = kubectl.run("get", "secret", DevRole.WORKSPACE + "-tether-token", "-o", "jsonpath={.data.token}").ok().out();
        assertThat(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8)).isEqualTo(dev.token(Duration.ofSeconds(30)));
    }

    @Test
    void applyPatchAndDeleteAWorkspace(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("ws.yaml");
        Files.writeString(manifest, """
                apiVersion: tether.dev/v1alpha1
                kind: Workspace
                metadata:
                  name: researcher
                spec:
                  url: http://127.0.0.1:9/a2a
                  runtime: claude-code
                  dispatch:
                    maxIdleTimeoutSeconds: 1800
                """);
        assertThat(kubectl.run("apply", "-f", manifest.toString()).ok().out()).contains("workspace.tether.dev/researcher created");
        assertThat(kubectl.run("apply", "-f", manifest.toString()).ok().out()).contains("unchanged");
        Files.writeString(manifest, Files.readString(manifest).replace("claude-code", "langgraph"));
        assertThat(kubectl.run("apply", "-f", manifest.toString()).ok().out()).contains("configured");
        assertThat(kubectl.run("get", "ws", "researcher", "-o", "jsonpath={.spec.runtime}").ok().out()).isEqualTo("langgraph");

        kubectl.run("patch", "ws", "researcher", "--type", "merge", "-p", "{\"spec\":{\"role\":\"researcher\"}}").ok();
        assertThat(kubectl.run("get", "ws", "researcher", "-o", "jsonpath={.spec.role}").ok().out()).isEqualTo("researcher");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("get", "secret", "researcher-tether-token").exitCode())
                .as("the reconciler issued the new workspace's token").isZero());

        assertThat(kubectl.run("delete", "ws", "researcher").ok().out()).contains("deleted");
        assertThat(kubectl.run("get", "ws", "researcher").err()).contains("NotFound");
    }
}
