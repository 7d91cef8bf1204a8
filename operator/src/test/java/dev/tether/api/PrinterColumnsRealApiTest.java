package dev.tether.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.Kubectl;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import dev.tether.testing.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kubectl get ws} as a user reads it: Phase first and Age last, {@code -o wide} adding where dispatches go. */
@RealApiTest
class PrinterColumnsRealApiTest {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @TempDir
    Path tmp;

    List<String> kubectlGet(String... extra) throws IOException {
        Kubectl kubectl = new Kubectl(Files.writeString(tmp.resolve("kubeconfig"), kube.kubeconfig()));
        List<String> args = new ArrayList<>(List.of("get", "ws", "-n", kube.namespace()));
        args.addAll(List.of(extra));
        return kubectl.run(args.toArray(String[]::new)).ok().out().lines().toList();
    }

    static List<String> cells(String line) {
        return List.of(line.trim().split("\\s{2,}"));
    }

    @Test
    void phaseComesFirstAgeLastAndWideAddsTheUrls() throws IOException {
        Workspaces workspaces = new Workspaces(kube.client(), kube.namespace());
        workspaces.create("researcher", spec -> {
            spec.setUrl("http://researcher.team-a:8000");
            spec.setMaxConcurrentTasks(4);
        });
        workspaces.patchStatus("researcher", "{\"phase\": \"Online\", \"lastHeartbeatTime\": \"" + Instant.now() + "\","
                + " \"dispatch\": {\"idleTimeoutSeconds\": 600, \"source\": \"Runtime\", \"clamped\": false, \"maxDurationSeconds\": 1800},"
                + " \"runtime\": {\"activeTasks\": 2}, \"registration\": {\"url\": \"http://10.0.0.7:8000\"}}");

        List<String> plain = kubectlGet();
        assertThat(cells(plain.get(0))).containsExactly("NAME", "PHASE", "IDLE TIMEOUT", "SOURCE", "LAST HEARTBEAT", "AGE");
        assertThat(cells(plain.get(1))).startsWith("researcher", "Online", "600", "Runtime");

        List<String> wide = kubectlGet("-o", "wide");
        List<String> header = cells(wide.get(0));
        assertThat(header).as("wide columns after Age, as kubectl's own").containsExactly("NAME", "PHASE", "IDLE TIMEOUT", "SOURCE",
                "LAST HEARTBEAT", "AGE", "ACTIVE", "LIMIT", "URL", "REGISTERED URL", "PROVISIONING", "IMAGE", "READY REPLICAS");
        List<String> row = cells(wide.get(1));
        assertThat(row.get(header.indexOf("ACTIVE"))).isEqualTo("2");
        assertThat(row.get(header.indexOf("LIMIT"))).isEqualTo("4");
        assertThat(row.get(header.indexOf("URL"))).isEqualTo("http://researcher.team-a:8000");
        assertThat(row.get(header.indexOf("REGISTERED URL"))).isEqualTo("http://10.0.0.7:8000");
    }
}
