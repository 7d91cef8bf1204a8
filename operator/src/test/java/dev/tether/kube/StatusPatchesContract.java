package dev.tether.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.Workspace;
import dev.tether.testing.KubeTier;
import dev.tether.testing.TierContract;
import dev.tether.testing.Workspaces;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Status writes as the API server applies them; on the mock API ({@link StatusPatchesTest}) and a real one. */
abstract class StatusPatchesContract extends TierContract {
    static final ObjectMapper JSON = new ObjectMapper();

    Workspaces workspaces() {
        return new Workspaces(kube().client(), kube().namespace());
    }

    ObjectNode runtime(String json) throws Exception {
        ObjectNode fields = JSON.createObjectNode();
        fields.put("lastHeartbeatTime", "2026-03-02T09:00:00Z");
        fields.set("runtime", JSON.readTree(json));
        return fields;
    }

    @Test
    void aReplacedFieldKeepsNoKeyItsNewValueLacksAndTheOtherFieldsStay() throws Exception {
        workspaces().create("w");
        workspaces().patchStatus("w", "{\"phase\": \"Online\", \"runtime\": {\"capabilities\": {\"a\": true, \"b\": true}, \"activeTasks\": 3}}");

        Workspace written = StatusPatches.replace(kube().client(), kube().namespace(), "w", runtime("{\"capabilities\": {\"a\": true}}"));

        assertThat(written.getStatus().getRuntime().capabilities()).isEqualTo(Map.of("a", true));
        assertThat(written.getStatus().getRuntime().activeTasks()).as("absent from the new value").isNull();
        assertThat(written.getStatus().getLastHeartbeatTime()).isEqualTo("2026-03-02T09:00:00Z");
        assertThat(written.getStatus().getPhase()).as("the other writer's field").hasToString("Online");
    }

    @Test
    void replacingFieldsOfAWorkspaceWithoutStatusCreatesIt() throws Exception {
        workspaces().create("w");

        StatusPatches.replace(kube().client(), kube().namespace(), "w", runtime("{\"activeTasks\": 1}"));

        Workspace stored = workspaces().get("w");
        assertThat(stored.getStatus().getRuntime().activeTasks()).isEqualTo(1);
        assertThat(stored.getStatus().getLastHeartbeatTime()).isEqualTo("2026-03-02T09:00:00Z");
    }
}
