package dev.tether.dev;

import dev.tether.api.DispatchStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceSpec;
import dev.tether.embedded.EmbeddedKubeApi;
import dev.tether.kube.KubeClients;
import dev.tether.kube.WorkspaceCrd;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The whole system in one process, with no cluster: an embedded Kubernetes API, the operator
 * (reconciler and heartbeat endpoint), the dispatch proxy, a sample agent and a sample Workspace.
 */
public final class DevRole implements AutoCloseable {
    public static final String NAMESPACE = "default";
    public static final String WORKSPACE = "sample-agent";

    /** What the dev role is started with. */
    public record Settings(int operatorPort, int proxyPort, Duration defaultIdleTimeout, Duration agentSilence) {
    }

    private final EmbeddedKubeApi api;
    private final KubernetesClient client;
    private final SampleAgent agent;
    private final OperatorRole operator;
    private final DispatchProxy proxy;
    private final Path kubeconfig;
    private final Settings settings;

    private DevRole(Settings settings) {
        this.settings = settings;
        api = new EmbeddedKubeApi();
        kubeconfig = writeKubeconfig(api.kubeconfig());
        // Connected as any cluster is: from the kubeconfig, through the one client factory.
        client = KubeClients.forConfig(Config.fromKubeconfig(api.kubeconfig()));
        WorkspaceCrd.install(client);
        agent = SampleAgent.start(settings.agentSilence(), 0);
        // Short bounds so the story plays out in seconds; production defaults are in the README.
        PolicySettings policy = new PolicySettings(settings.defaultIdleTimeout(), Duration.ofSeconds(1), Duration.ofHours(2),
                Duration.ofMinutes(30));
        operator = OperatorRole.start(client, new OperatorSettings(settings.operatorPort(), List.of(), NAMESPACE,
                new ReconcilerSettings(policy, Duration.ofSeconds(180)), Duration.ofSeconds(60), false, null), Clock.systemUTC());
        proxy = DispatchProxy.start(client, ProxySettings.builder().host("127.0.0.1").port(settings.proxyPort())
                .defaultNamespace(NAMESPACE).defaultIdleTimeout(settings.defaultIdleTimeout()).registryUrl(operator.baseUrl())
                .allowedRegisteredNetworks(List.of("127.0.0.0/8")).build()); // every agent of the dev role runs on this machine
        createSampleWorkspace();
    }

    public static DevRole start(Settings settings) {
        return new DevRole(settings);
    }

    private void createSampleWorkspace() {
        Workspace ws = new Workspace();
        ws.getMetadata().setName(WORKSPACE);
        ws.getMetadata().setNamespace(NAMESPACE);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl(agent.url());
        ws.getSpec().setRuntime("tether-sample-agent");
        client.resource(ws).create();
    }

    /** The sample workspace's heartbeat token, once the reconciler has issued it. */
    public String token(Duration timeout) {
        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(TokenSecrets.name(WORKSPACE))
                .waitUntilCondition(Objects::nonNull, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return TokenSecrets.token(secret);
    }

    /** Waits until the reconciler's status.dispatch for the sample workspace satisfies the condition. */
    public DispatchStatus awaitDispatch(Predicate<DispatchStatus> condition, Duration timeout) {
        Workspace ws = client.resources(Workspace.class).inNamespace(NAMESPACE).withName(WORKSPACE)
                .waitUntilCondition(w -> w != null && w.getStatus() != null && w.getStatus().getDispatch() != null
                        && condition.test(w.getStatus().getDispatch()), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return ws.getStatus().getDispatch();
    }

    public String proxyUrl() {
        return proxy.baseUrl();
    }

    public String dispatchUrl() {
        return proxy.baseUrl() + "/workspaces/" + NAMESPACE + "/" + WORKSPACE + "/a2a";
    }

    /** The embedded API's kubeconfig file, for kubectl. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public SampleAgent agent() {
        return agent;
    }

    public Settings settings() {
        return settings;
    }

    /** What a person needs to try it by hand. The token is the embedded API's own, printed for the curl. */
    public String banner(String token) {
        String message = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\","
                + "\"parts\":[{\"kind\":\"text\",\"text\":\"what is the answer?\"}]}}}";
        return """
                Tether dev is running on an embedded Kubernetes API (Ctrl-C stops it).

                  Kubernetes API  http://127.0.0.1:%d   KUBECONFIG=%s kubectl get ws
                  platform URL    %s   what a runtime's PLATFORM_URL is: /workspaces/{ns}/{name}/a2a and /registry/*
                  operator        %s   /registry/* (the proxy relays there), /healthz, /readyz, /metrics
                  sample agent    %s   silent for %ds per call
                  workspace       %s/%s   platform default idle window: %ds

                1. Dispatch through the proxy; the agent stays silent longer than the default window, so after %ds:
                   503 "idle timeout":
                     curl -s %s -H 'Content-Type: application/json' -d '%s'

                2. Heartbeat as the runtime, to the same platform URL, and declare the 600 s idle timeout it needs:
                     curl -s %s/registry/heartbeat -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
                       -d '{"workspace_id":"%s/%s","runtime_metadata":{"capabilities":{"session":true},"idle_timeout_seconds":600}}'

                3. Dispatch again (step 1): the same call now waits for the agent and answers 200.
                """.formatted(api.port(), kubeconfig, proxy.baseUrl(), operator.baseUrl(), agent.url(),
                settings.agentSilence().toSeconds(), NAMESPACE, WORKSPACE, settings.defaultIdleTimeout().toSeconds(),
                settings.defaultIdleTimeout().toSeconds(), dispatchUrl(), message, proxy.baseUrl(), token, NAMESPACE, WORKSPACE);
    }

    private static Path writeKubeconfig(String content) {
        try {
            Path dir = Files.createTempDirectory("tether-dev-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("kubeconfig");
            Files.writeString(file, content);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dev kubeconfig", e);
        }
    }

    @Override
    public void close() {
        proxy.close();
        operator.close();
        agent.close();
        client.close();
        api.close();
    }
}
