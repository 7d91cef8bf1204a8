package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.RegistrationStatus;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.RuntimeClient.Reply;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runtimes register their URL and agent card; the card is replaced wholesale; spec.url still routes. */
class RegistrationOnMockApiTest {
    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    RegistryFixture registry;
    String token;

    @BeforeEach
    void start() {
        registry = new RegistryFixture(kube.client(), "team-a", Clock.systemUTC());
        token = registry.workspaceWithToken("researcher");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    RegistrationStatus registration() {
        return registry.get("researcher").getStatus().getRegistration();
    }

    @Test
    void registerStoresTheUrlAndCardAndUpdateCardReplacesTheCard() {
        Reply registered = registry.runtime.post("/registry/register", token, """
                {"id": "team-a/researcher", "url": "http://10.0.0.7:8000/a2a",
                 "agent_card": {"name": "Researcher", "skills": [{"id": "search"}], "url": "http://10.0.0.7:8000/a2a"}}""");
        assertThat(registered.status()).isEqualTo(200);
        assertThat(registration().url()).isEqualTo("http://10.0.0.7:8000/a2a");
        assertThat(registration().agentCard().path("name").asText()).isEqualTo("Researcher");

        Reply updated = registry.runtime.post("/registry/update-card", token, """
                {"workspace_id": "team-a/researcher", "agent_card": {"name": "Researcher v2"}}""");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(registration().agentCard().path("name").asText()).isEqualTo("Researcher v2");
        assertThat(registration().agentCard().has("skills")).as("the old card's keys are gone").isFalse();
        assertThat(registration().url()).as("update-card keeps the registered URL").isEqualTo("http://10.0.0.7:8000/a2a");
    }

    @Test
    void specUrlStillWinsForRoutingOverARegisteredOne() {
        registry.runtime.post("/registry/register", token, """
                {"id": "team-a/researcher", "url": "http://10.0.0.7:8000/a2a"}""");
        assertThat(registry.get("researcher").endpoint()).isEqualTo("http://researcher.agents.svc:8000/a2a");

        registry.workspaces.editSpec("researcher", s -> s.setUrl(null));
        assertThat(registry.get("researcher").endpoint()).isEqualTo("http://10.0.0.7:8000/a2a");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cloud metadata IP         | http://169.254.169.254/latest/meta-data | link-local or metadata
            link-local IPv6           | http://[fe80::1]:8000/a2a               | link-local or metadata
            GCP metadata host         | http://metadata.google.internal/        | cloud metadata
            Alibaba metadata IP       | http://100.100.100.200/                 | link-local or metadata
            not http                  | ftp://agent/a2a                          | http or https
            credentials in the URL    | http://user:secret@agent:8000/a2a        | must not carry credentials
            no host                   | http:///a2a                             | must name a host
            """)
    void unsafeRegisteredUrlsAreRefused(String description, String url, String expected) {
        Reply reply = registry.runtime.post("/registry/register", token,
                "{\"id\": \"team-a/researcher\", \"url\": \"" + url + "\"}");
        assertThat(reply.status()).as(description).isEqualTo(400);
        assertThat(reply.error()).as(description).contains("'url'").contains(expected);
        assertThat(registry.get("researcher").getStatus().getRegistration()).isNull();
    }

    @Test
    void registrationNeedsTheWorkspacesOwnToken() {
        String other = registry.workspaceWithToken("reviewer");
        Reply reply = registry.runtime.post("/registry/register", other, """
                {"id": "team-a/researcher", "url": "http://10.0.0.9:8000/a2a"}""");
        assertThat(reply.status()).isEqualTo(401);
        assertThat(registry.get("researcher").getStatus().getRegistration()).isNull();
    }

    @Test
    void updateCardRequiresACardObject() {
        Reply missing = registry.runtime.post("/registry/update-card", token, "{\"workspace_id\": \"team-a/researcher\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).contains("'agent_card' is required");
        Reply wrongType = registry.runtime.post("/registry/update-card", token,
                "{\"workspace_id\": \"team-a/researcher\", \"agent_card\": \"card\"}");
        assertThat(wrongType.error()).contains("'agent_card' must be an object");
    }
}
