package dev.tether.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tether.kube.WorkspaceCrd;
import dev.tether.testing.RepoFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CRD generated from dev.tether.api at build time, and the copies committed for kubectl and Helm. */
class WorkspaceCrdTest {
    static final String FIX = "The Workspace CRD committed at %s differs from the one generated from dev.tether.api."
            + " Regenerate the committed copies with: ./mvnw -Pupdate-crds process-classes  (then commit crds/ and helm/tether/crds/)";

    static String generated() throws IOException {
        try (InputStream in = WorkspaceCrd.class.getResourceAsStream(WorkspaceCrd.RESOURCE)) {
            assertThat(in).as("generated CRD on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static JsonNode schema() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(generated())
                .at("/spec/versions/0/schema/openAPIV3Schema");
    }

    @ParameterizedTest(name = "{0} matches the Java model")
    @ValueSource(strings = {"crds/workspaces.tether.dev-v1.yml", "helm/tether/crds/workspaces.tether.dev-v1.yml"})
    void committedCopyMatchesTheJavaModel(String copy) throws IOException {
        assertThat(RepoFiles.read(copy)).as(FIX, copy).isEqualTo(generated());
    }

    @Test
    void everySpecAndStatusFieldHasADescription() throws IOException {
        JsonNode root = schema().get("properties");
        List<String> undocumented = new ArrayList<>();
        for (String top : List.of("spec", "status")) {
            collectUndocumented(top, root.get(top), undocumented);
        }
        assertThat(undocumented).as("schema properties without a description (kubectl explain would show nothing)").isEmpty();
    }

    @Test
    void everyNumberInTheSpecIsBounded() throws IOException {
        List<String> unbounded = new ArrayList<>();
        collectUnbounded("spec", schema().at("/properties/spec"), unbounded);
        assertThat(unbounded).as("spec numbers without minimum and maximum").isEmpty();
    }

    @Test
    void servedWithStatusSubresourceShortNameAndPrinterColumns() throws IOException {
        JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(generated());
        assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("ws");
        assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
        assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
        List<String> columns = new ArrayList<>();
        List<String> wide = new ArrayList<>();
        crd.at("/spec/versions/0/additionalPrinterColumns")
                .forEach(c -> (c.path("priority").asInt() == 0 ? columns : wide).add(c.get("name").asText()));
        assertThat(columns).as("kubectl's convention: the state first, Age last")
                .containsExactly("Phase", "Idle timeout", "Source", "Last heartbeat", "Age");
        assertThat(wide).as("columns only -o wide shows, after Age").containsExactly("Active", "Limit", "URL", "Registered URL", "Provisioning", "Image",
                "Ready replicas");
    }

    private static void collectUndocumented(String path, JsonNode node, List<String> out) {
        if (!node.hasNonNull("description")) {
            out.add(path);
        }
        node.path("properties").properties().forEach(e -> collectUndocumented(path + "." + e.getKey(), e.getValue(), out));
        if (node.has("items")) {
            node.get("items").path("properties").properties()
                    .forEach(e -> collectUndocumented(path + "[]." + e.getKey(), e.getValue(), out));
        }
    }

    private static void collectUnbounded(String path, JsonNode node, List<String> out) {
        String type = node.path("type").asText();
        if ((type.equals("integer") || type.equals("number")) && !(node.has("minimum") && node.has("maximum"))) {
            out.add(path);
        }
        for (Map.Entry<String, JsonNode> e : node.path("properties").properties()) {
            collectUnbounded(path + "." + e.getKey(), e.getValue(), out);
        }
    }
}
