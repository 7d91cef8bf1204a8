package dev.tether.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.api.DispatchStatus;
import dev.tether.api.HibernationSpec;
import dev.tether.api.PodTemplate;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceSpec;
import dev.tether.api.WorkspaceStatus;
import dev.tether.embedded.EmbeddedKubeApi;
import dev.tether.embedded.node.NodeStandIn;
import dev.tether.kube.KubeClients;
import dev.tether.kube.WorkspaceCrd;
import dev.tether.operator.OperatorRole;
import dev.tether.operator.OperatorSettings;
import dev.tether.policy.PolicySettings;
import dev.tether.provisioning.RuntimeObjects;
import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxySettings;
import dev.tether.reconciler.ReconcilerSettings;
import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The whole system in one process, with no cluster: an embedded Kubernetes API, the operator
 * (reconciler and heartbeat endpoint), the dispatch proxy, a sample agent and a sample Workspace that points at it,
 * and a provisioned Workspace whose runtime the node stand-in runs as a local process (the embedded API has no
 * kubelet).
 */
public final class DevRole implements AutoCloseable {
    public static final String NAMESPACE = "default";
    public static final String WORKSPACE = "sample-agent";
    public static final String PROVISIONED = "provisioned-agent";
    /** How long the provisioned workspace idles before it hibernates. */
    public static final int PROVISIONED_IDLE_AFTER_SECONDS = 10;
    /** A name only: the node stand-in runs its own runtime whatever the image. */
    static final String PROVISIONED_IMAGE = "example.com/tether-stand-in-runtime:dev";

    /** What the dev role is started with. */
    public record Settings(int operatorPort, int proxyPort, Duration defaultIdleTimeout, Duration agentSilence) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final EmbeddedKubeApi api;
    private final KubernetesClient client;
    private final SampleAgent agent;
    private final OperatorRole operator;
    private final DispatchProxy proxy;
    private final NodeStandIn node;
    private final Path dir;
    private final Path kubeconfig;
    private final Settings settings;

    private DevRole(Settings settings) {
        this.settings = settings;
        api = new EmbeddedKubeApi();
        dir = privateDirectory();
        kubeconfig = write(dir.resolve("kubeconfig"), api.kubeconfig());
        // Connected as any cluster is: from the kubeconfig, through the one client factory.
        client = KubeClients.forConfig(Config.fromKubeconfig(api.kubeconfig()));
        WorkspaceCrd.install(client);
        agent = SampleAgent.start(settings.agentSilence(), 0);
        // Short bounds so the story plays out in seconds; production defaults are in the README.
        PolicySettings policy = new PolicySettings(settings.defaultIdleTimeout(), Duration.ofSeconds(1), Duration.ofHours(2),
                Duration.ofMinutes(30));
        // The proxy's port is the PLATFORM_URL the operator injects into provisioned runtimes: known before either starts.
        int proxyPort = settings.proxyPort() == 0 ? freePort() : settings.proxyPort();
        operator = OperatorRole.start(client, new OperatorSettings(settings.operatorPort(), List.of(), NAMESPACE,
                new ReconcilerSettings(policy, Duration.ofSeconds(180)), Duration.ofSeconds(60), false, "http://127.0.0.1:" + proxyPort, "default"),
                Clock.systemUTC());
        proxy = DispatchProxy.start(client, ProxySettings.builder().host("127.0.0.1").port(proxyPort)
                .defaultNamespace(NAMESPACE).defaultIdleTimeout(settings.defaultIdleTimeout()).registryUrl(operator.baseUrl())
                .allowedRegisteredNetworks(List.of("127.0.0.0/8")).build()); // every agent of the dev role runs on this machine
        node = new NodeStandIn(client, NAMESPACE, createDirectory(dir.resolve("pods")), RuntimeObjects.SELECTOR, RuntimeObjects.PORT_NAME);
        createSampleWorkspace();
        createProvisionedWorkspace();
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

    private void createProvisionedWorkspace() {
        Workspace ws = new Workspace();
        ws.getMetadata().setName(PROVISIONED);
        ws.getMetadata().setNamespace(NAMESPACE);
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setRuntime("tether-stand-in-runtime");
        ws.getSpec().setTemplate(new PodTemplate(null, MAPPER.createObjectNode().set("containers", MAPPER.createArrayNode()
                .add(MAPPER.createObjectNode().put("name", "agent").put("image", PROVISIONED_IMAGE)
                        .set("ports", MAPPER.createArrayNode().add(MAPPER.createObjectNode().put("name", RuntimeObjects.PORT_NAME)
                                .put("containerPort", RuntimeObjects.DEFAULT_PORT)))))));
        ws.getSpec().setHibernation(new HibernationSpec(PROVISIONED_IDLE_AFTER_SECONDS, null));
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
        return awaitStatus(WORKSPACE, s -> s.getDispatch() != null && condition.test(s.getDispatch()), timeout).getDispatch();
    }

    /** Waits until a workspace's status satisfies the condition. */
    public WorkspaceStatus awaitStatus(String workspace, Predicate<WorkspaceStatus> condition, Duration timeout) {
        return client.resources(Workspace.class).inNamespace(NAMESPACE).withName(workspace)
                .waitUntilCondition(w -> w != null && w.getStatus() != null && condition.test(w.getStatus()), timeout.toMillis(),
                        TimeUnit.MILLISECONDS).getStatus();
    }

    /** Waits until the Deployment Tether made for a provisioned workspace exists. */
    public Deployment awaitDeployment(String workspace, Duration timeout) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(workspace)
                .waitUntilCondition(Objects::nonNull, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String proxyUrl() {
        return proxy.baseUrl();
    }

    public String dispatchUrl() {
        return dispatchUrl(WORKSPACE);
    }

    public String dispatchUrl(String workspace) {
        return proxy.baseUrl() + "/workspaces/" + NAMESPACE + "/" + workspace + "/a2a";
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
                  provisioned     %s/%s   spec.template: its Deployment's replica runs here as a local process
                                  (the node stand-in plays kubelet), heartbeating to the platform URL

                1. Dispatch through the proxy; the agent stays silent longer than the default window, so after %ds:
                   503 "idle timeout":
                     curl -s %s -H 'Content-Type: application/json' -d '%s'

                2. Heartbeat as the runtime, to the same platform URL, and declare the 600 s idle timeout it needs:
                     curl -s %s/registry/heartbeat -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
                       -d '{"workspace_id":"%s/%s","runtime_metadata":{"capabilities":{"session":true},"idle_timeout_seconds":600}}'

                3. Dispatch again (step 1): the same call now waits for the agent and answers 200.

                4. The provisioned workspace's runtime answers at once:
                     KUBECONFIG=%s kubectl get ws,deploy,endpointslices
                     curl -s %s -H 'Content-Type: application/json' -d '%s'

                5. Leave it alone for %ds: it hibernates (phase Hibernated, Deployment at 0). Step 4's call wakes it and
                   answers 200, a little later.
                """.formatted(api.port(), kubeconfig, proxy.baseUrl(), operator.baseUrl(), agent.url(),
                settings.agentSilence().toSeconds(), NAMESPACE, WORKSPACE, settings.defaultIdleTimeout().toSeconds(), NAMESPACE, PROVISIONED,
                settings.defaultIdleTimeout().toSeconds(), dispatchUrl(), message, proxy.baseUrl(), token, NAMESPACE, WORKSPACE,
                kubeconfig, dispatchUrl(PROVISIONED), message, PROVISIONED_IDLE_AFTER_SECONDS);
    }

    private static Path privateDirectory() {
        try {
            return Files.createTempDirectory("tether-dev-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the dev role's directory", e);
        }
    }

    private static Path createDirectory(Path path) {
        try {
            return Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path, e);
        }
    }

    private static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the proxy", e);
        }
    }

    /** The kubeconfig (it holds the embedded API's token) and the stand-in's pod directories go with the role. */
    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    @Override
    public void close() {
        node.close();
        proxy.close();
        operator.close();
        agent.close();
        client.close();
        api.close();
        deleteTree(dir);
    }
}
