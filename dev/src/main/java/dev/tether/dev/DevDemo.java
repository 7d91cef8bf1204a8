package dev.tether.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.api.Condition;
import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchStatus;
import dev.tether.api.WorkspacePhase;
import dev.tether.api.WorkspaceStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The mission in one run: a dispatch to a silent agent fails at the platform default window; the
 * runtime heartbeats the longer window it needs; the same dispatch succeeds. Then a Workspace with a pod
 * template starts its runtime (Deployment, ready replica, first heartbeat) and answers a dispatch, hibernates once
 * idle, and is woken by the next dispatch, which it answers.
 */
public final class DevDemo {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MESSAGE = "{\"jsonrpc\":\"2.0\",\"id\":\"demo\",\"method\":\"message/send\",\"params\":{\"message\":"
            + "{\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"think it over\"}]}}}";

    private final DevRole dev;
    private final PrintStream out;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(2, TimeUnit.MINUTES).build();

    public DevDemo(DevRole dev, PrintStream out) {
        this.dev = dev;
        this.out = out;
    }

    private record Answer(int status, JsonNode body, long millis) {
    }

    /** Runs the story; true when every step behaved as promised. */
    public boolean run() throws IOException {
        long window = dev.settings().defaultIdleTimeout().toSeconds();
        long silence = dev.settings().agentSilence().toSeconds();
        int declared = (int) (silence * 2);
        String token = dev.token(Duration.ofSeconds(30));
        awaitPolicy(DispatchSource.Default, (int) window);
        out.printf("Workspace %s/%s: the agent thinks silently for %ds; the platform default idle window is %ds.%n%n",
                DevRole.NAMESPACE, DevRole.WORKSPACE, silence, window);

        out.println("1. Dispatch through the proxy with the default window ...");
        Answer first = dispatch();
        out.printf("   -> %d after %.1fs: %s%n", first.status(), first.millis() / 1000.0, first.body().path("error").asText(first.body().toString()));
        if (first.status() != 503) {
            return fail("expected 503 (idle timeout) at the default window");
        }

        out.printf("%n2. The runtime heartbeats to the same platform URL and declares idle_timeout_seconds=%d ...%n", declared);
        Answer beat = post(dev.proxyUrl() + "/registry/heartbeat", token, "{\"workspace_id\": \"" + DevRole.NAMESPACE + "/"
                + DevRole.WORKSPACE + "\", \"active_tasks\": 0, \"runtime_metadata\": {\"capabilities\": {\"session\": true}, "
                + "\"idle_timeout_seconds\": " + declared + "}}");
        out.printf("   -> %d %s%n", beat.status(), beat.body());
        if (beat.status() != 200) {
            return fail("the heartbeat was not accepted");
        }
        DispatchStatus policy = awaitPolicy(DispatchSource.Runtime, declared);
        out.printf("   reconciler: status.dispatch = %ds, source %s%n", policy.idleTimeoutSeconds(), policy.source());

        out.println("\n3. The same dispatch again ...");
        Answer second = dispatch();
        out.printf("   -> %d after %.1fs: %s%n", second.status(), second.millis() / 1000.0,
                second.body().at("/result/parts/0/text").asText(second.body().path("error").asText()));
        if (second.status() != 200) {
            return fail("expected 200 once the runtime's window applies");
        }
        out.println("\nThe runtime's declared window reached every dispatch, with no restart.");
        if (!provisioned()) {
            return false;
        }
        out.println("\nDemo succeeded.");
        return true;
    }

    /** The provisioned workspace: Tether makes the Deployment, the node stand-in runs it, the runtime heartbeats. */
    private boolean provisioned() throws IOException {
        Duration wait = Duration.ofSeconds(60);
        out.printf("%n4. Workspace %s/%s has spec.template: Tether runs its runtime ...%n", DevRole.NAMESPACE, DevRole.PROVISIONED);
        String awaiting = "Deployment";
        try {
            Deployment deployment = dev.awaitDeployment(DevRole.PROVISIONED, wait);
            out.printf("   Deployment %s created (image %s, %d replica); the node stand-in runs it as a local process%n",
                    deployment.getMetadata().getName(), deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage(),
                    deployment.getSpec().getReplicas());
            awaiting = "ready replica";
            WorkspaceStatus ready = dev.awaitStatus(DevRole.PROVISIONED, s -> s.getProvisioning() != null
                    && Objects.equals(s.getProvisioning().readyReplicas(), 1) && s.getConditions() != null
                    && s.getConditions().stream().anyMatch(c -> c.type().equals("Ready") && c.status().equals("True")), wait);
            out.printf("   runtime ready: %d/%d replicas, Ready=True (%s)%n", ready.getProvisioning().readyReplicas(),
                    ready.getProvisioning().replicas(), ready.getConditions().stream().filter(c -> c.type().equals("Ready")).findFirst()
                            .map(Condition::reason).orElseThrow());
            awaiting = "heartbeat from the runtime";
            WorkspaceStatus beating = dev.awaitStatus(DevRole.PROVISIONED, s -> s.getLastHeartbeatTime() != null, wait);
            out.printf("   heartbeat arrived at %s, sent with the mounted token to the injected PLATFORM_URL; phase %s%n",
                    beating.getLastHeartbeatTime(), beating.getPhase());
        } catch (KubernetesClientTimeoutException e) {
            return fail("no " + awaiting + " for " + DevRole.PROVISIONED + " within " + wait.toSeconds() + "s");
        }

        out.println("   dispatch through the proxy, to the runtime's ready endpoint ...");
        if (!dispatchProvisioned()) {
            return false;
        }

        out.printf("%n5. Nobody calls it for %ds (spec.hibernation.idleAfterSeconds) ...%n", DevRole.PROVISIONED_IDLE_AFTER_SECONDS);
        try {
            WorkspaceStatus asleep = dev.awaitStatus(DevRole.PROVISIONED, s -> s.getPhase() == WorkspacePhase.Hibernated
                    && s.getProvisioning() != null && Objects.equals(s.getProvisioning().replicas(), 0), wait);
            out.printf("   phase %s since %s: the Deployment is scaled to 0 replicas%n", asleep.getPhase(), asleep.getHibernation().since());
        } catch (KubernetesClientTimeoutException e) {
            return fail(DevRole.PROVISIONED + " did not hibernate within " + wait.toSeconds() + "s");
        }
        out.println("   the same dispatch: held while the runtime wakes, then forwarded ...");
        return dispatchProvisioned();
    }

    private boolean dispatchProvisioned() throws IOException {
        Answer answer = post(dev.dispatchUrl(DevRole.PROVISIONED), null, MESSAGE);
        out.printf("   -> %d after %.1fs: %s%n", answer.status(), answer.millis() / 1000.0, answer.body().path("result").isMissingNode()
                ? answer.body().path("error").asText(answer.body().toString())
                : "answered by pod " + answer.body().at("/result/pod").asText() + " as workspace " + answer.body().at("/result/workspace").asText());
        return answer.status() == 200 || fail("expected 200 from the provisioned runtime");
    }

    private DispatchStatus awaitPolicy(DispatchSource source, int seconds) {
        return dev.awaitDispatch(d -> d.source() == source && d.idleTimeoutSeconds() == seconds, Duration.ofSeconds(30));
    }

    private Answer dispatch() throws IOException {
        return post(dev.dispatchUrl(), null, MESSAGE);
    }

    private Answer post(String url, String token, String json) throws IOException {
        Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(json, JSON));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        long start = System.nanoTime();
        try (Response response = http.newCall(request.build()).execute()) {
            String body = response.body().string();
            return new Answer(response.code(), body.isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(body),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private boolean fail(String why) {
        out.println("\nDemo FAILED: " + why);
        return false;
    }
}
