package dev.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.api.Workspace;
import dev.tether.http.HttpServer;
import dev.tether.policy.PolicySettings;
import dev.tether.reconciler.TokenSecrets;
import dev.tether.testing.MockKubeApi;
import dev.tether.testing.RuntimeClient;
import dev.tether.testing.RuntimeClient.Reply;
import dev.tether.testing.Workspaces;
import io.fabric8.kubernetes.api.model.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A workspace deleted while one of its beats is being recorded. The heartbeat endpoint runs here on its own, with
 * its status write wrapped so the test can delete the workspace at the worst moment: after the beat was
 * authenticated, around its write. No reconciler runs; the test issues token Secrets itself.
 */
class HeartbeatDeletedWorkspaceOnMockApiTest {
    static final String NS = "team-a";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String DECLARATION = "\"active_tasks\": 1, \"runtime_metadata\": {\"capabilities\": {\"session\": true}}";

    @RegisterExtension
    final MockKubeApi kube = new MockKubeApi();
    final AtomicReference<Runnable> afterNextWrite = new AtomicReference<>();
    final AtomicReference<Runnable> beforeNextWrite = new AtomicReference<>();
    /** One permit per Workspace deletion the endpoint has finished handling (its listener runs before ours). */
    final Semaphore deletionsHandled = new Semaphore(0);
    RegistryCaches caches;
    HttpServer server;
    RuntimeClient runtime;
    Workspaces workspaces;

    @BeforeEach
    void start() {
        workspaces = new Workspaces(kube.client(), NS);
        caches = new RegistryCaches(kube.client(), List.of(NS));
        RegistryContext registry = new RegistryContext(kube.client(), caches, new HeartbeatSettings(NS, Duration.ofSeconds(60),
                PolicySettings.DEFAULTS, Duration.ofSeconds(180), null), Clock.systemUTC(), new SimpleMeterRegistry());
        StatusWrite production = StatusWrite.through(kube.client());
        StatusWrite hooked = (ws, status) -> {
            run(beforeNextWrite);
            production.write(ws, status);
            run(afterNextWrite);
        };
        HeartbeatEndpoint endpoint = new HeartbeatEndpoint(registry, hooked);
        caches.onWorkspaceDeleted(ws -> deletionsHandled.release());
        server = HttpServer.builder("127.0.0.1", 0).route("/registry/heartbeat", endpoint)
                .route("/registry/register", new RegisterEndpoint(RegisterEndpoint.Kind.REGISTER, registry, hooked))
                .start();
        runtime = new RuntimeClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
        caches.close();
    }

    private static void run(AtomicReference<Runnable> hook) {
        Runnable once = hook.getAndSet(null);
        if (once != null) {
            once.run();
        }
    }

    /** Creates the workspace and its token Secret, and waits until the endpoint accepts the token. */
    String workspaceWithToken(String name) {
        Workspace ws = workspaces.create(name);
        Secret secret = TokenSecrets.newSecret(ws);
        kube.client().resource(secret).create();
        String token = TokenSecrets.token(secret);
        await().atMost(WAIT).until(() -> caches.authenticates(dev.tether.api.WorkspaceId.of(ws), token));
        return token;
    }

    /** Deletes the workspace and its Secret and returns once the endpoint has handled the deletion. */
    void deleteAndWaitUntilHandled(String name) {
        workspaces.resource(name).delete();
        kube.client().secrets().inNamespace(NS).withName(TokenSecrets.name(name)).delete();
        try {
            assertThat(deletionsHandled.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the deletion reached the registry").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Reply beat(String token, String name) {
        return runtime.heartbeat(token, "{\"workspace_id\": \"" + NS + "/" + name + "\", " + DECLARATION + "}");
    }

    @Test
    void aWorkspaceCreatedAgainUnderTheNameOfOneDeletedMidBeatGetsItsFirstBeatRecorded() {
        String old = workspaceWithToken("researcher");
        afterNextWrite.set(() -> deleteAndWaitUntilHandled("researcher"));
        assertThat(beat(old, "researcher").status()).as("the beat was written before the delete").isEqualTo(200);

        String token = workspaceWithToken("researcher");
        assertThat(beat(token, "researcher").status()).isEqualTo(200);

        // The same content the deleted workspace's last beat carried: nothing of that workspace may make it look written.
        Workspace again = workspaces.get("researcher");
        assertThat(again.getStatus()).as("the new workspace's first beat is in its status").isNotNull();
        assertThat(again.getStatus().getRuntime().capabilities()).isEqualTo(Map.of("session", true));
        assertThat(again.getStatus().getRuntime().activeTasks()).isEqualTo(1);
    }

    @Test
    void aBeatWhoseWorkspaceIsDeletedBeforeItsWriteIsAnsweredLikeAnyUnknownWorkspace() {
        String token = workspaceWithToken("researcher");
        workspaceWithToken("other");
        Reply wrongToken = runtime.heartbeat(token, "{\"workspace_id\": \"" + NS + "/other\", " + DECLARATION + "}");
        beforeNextWrite.set(() -> workspaces.resource("researcher").delete());

        Reply deletedMidBeat = beat(token, "researcher");

        assertThat(deletedMidBeat.status()).as("not 503: the API server answered, the workspace is gone").isEqualTo(401);
        assertThat(deletedMidBeat.retryAfter()).isNull();
        assertThat(deletedMidBeat.error()).isEqualTo(wrongToken.error().replace("/other'", "/researcher'"));
        assertThat(wrongToken.status()).isEqualTo(401);
    }

    @Test
    void aRegistrationWhoseWorkspaceIsDeletedBeforeItsWriteIsAnsweredLikeAnyUnknownWorkspace() {
        String token = workspaceWithToken("researcher");
        beforeNextWrite.set(() -> workspaces.resource("researcher").delete());

        Reply deletedMidRegistration = runtime.post("/registry/register", token,
                "{\"id\": \"" + NS + "/researcher\", \"url\": \"http://researcher.agents.svc:8000/a2a\"}");

        assertThat(deletedMidRegistration.status()).isEqualTo(401);
        assertThat(deletedMidRegistration.retryAfter()).isNull();
        assertThat(deletedMidRegistration.error()).isEqualTo("invalid token for id '" + NS + "/researcher'");
    }
}
