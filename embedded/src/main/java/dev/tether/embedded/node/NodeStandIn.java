package dev.tether.embedded.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a kubelet and the endpoint controller would do for the Deployments Tether provisions, on a machine that runs a
 * kube-apiserver and nothing else. For each replica a Deployment asks for, it runs {@link StandInRuntime} as a process
 * of its own with the first container's env (literal values), the files its Secret volumes mount under {@code /configs}
 * written to a directory of its own ({@code CONFIGS_DIR}) and {@code HOSTNAME} set to the pod's name. Replicas share
 * 127.0.0.1, so each gets a free port, told to it as {@code A2A_PORT} and published as the slice's {@code a2a} port
 * (a kubelet gives each pod its own IP instead). Once a replica answers its readiness probe it is published in an
 * EndpointSlice labelled as the endpoint controller labels them, and the Deployment's status counts it ready and
 * available. A changed pod template replaces the replicas; fewer replicas, or a deleted Deployment, stop them.
 * The real-API tests and the dev role both run it; it never ships in the operator's image.
 */
public final class NodeStandIn implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeStandIn.class);
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private record Replica(String pod, String template, Process process, int port) {
        boolean answers() {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpURLConnection probe = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/healthz").toURL().openConnection();
                probe.setConnectTimeout(200);
                probe.setReadTimeout(500);
                return probe.getResponseCode() == 200;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Path dir;
    private final String portName;
    private final boolean v1Slices;
    private final SharedIndexInformer<Deployment> deployments;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "node-stand-in"));
    /** Touched on {@link #loop} only. */
    private final Map<String, List<Replica>> replicas = new HashMap<>();
    private final Map<String, Set<String>> ready = new HashMap<>();

    /**
     * @param selector the label selector of the Deployments to run (those Tether provisions)
     * @param portName the name of the port published in each EndpointSlice (the Service's port name)
     */
    public NodeStandIn(KubernetesClient client, String namespace, Path dir, String selector, String portName) {
        this.client = client;
        this.namespace = namespace;
        this.dir = dir;
        this.portName = portName;
        var group = client.getApiGroup("discovery.k8s.io");
        // The version the proxy reads: v1 unless the server names v1beta1 and not v1 (or names none, as the embedded API does).
        this.v1Slices = group == null || group.getVersions() == null || group.getVersions().stream().noneMatch(v -> "v1beta1".equals(v.getVersion()))
                || group.getVersions().stream().anyMatch(v -> "v1".equals(v.getVersion()));
        deployments = client.apps().deployments().inNamespace(namespace).withLabelSelector(selector)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Deployment d) {
                        loop.execute(() -> sync(d.getMetadata().getName()));
                    }

                    @Override
                    public void onUpdate(Deployment before, Deployment now) {
                        loop.execute(() -> sync(now.getMetadata().getName()));
                    }

                    @Override
                    public void onDelete(Deployment d, boolean unknown) {
                        loop.execute(() -> sync(d.getMetadata().getName()));
                    }
                });
        // Readiness is probed, not announced: look again while replicas start.
        loop.scheduleWithFixedDelay(() -> new ArrayList<>(replicas.keySet()).forEach(this::sync), 250, 250, TimeUnit.MILLISECONDS);
    }

    /** The processes running for a Deployment now. */
    public int running(String deployment) {
        try {
            return loop.submit(() -> (int) replicas.getOrDefault(deployment, List.of()).stream().filter(r -> r.process().isAlive()).count()).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void sync(String name) {
        try {
            Deployment d = deployments.getStore().getByKey(namespace + "/" + name);
            int wanted = d == null || d.getMetadata().getDeletionTimestamp() != null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
            String template = d == null ? null : client.getKubernetesSerialization().asJson(d.getSpec().getTemplate());
            List<Replica> running = replicas.computeIfAbsent(name, n -> new ArrayList<>());
            running.removeIf(r -> {
                boolean stale = !r.template().equals(template) || !r.process().isAlive();
                if (stale) {
                    r.process().destroyForcibly();
                }
                return stale;
            });
            while (running.size() > wanted) {
                running.removeLast().process().destroyForcibly();
            }
            while (running.size() < wanted) {
                running.add(start(d, template));
            }
            Set<String> nowReady = new HashSet<>();
            running.stream().filter(Replica::answers).forEach(r -> nowReady.add(r.pod()));
            if (!nowReady.equals(ready.get(name))) {
                publish(name, running, nowReady);
                ready.put(name, nowReady);
            }
            if (d != null) {
                report(d, running.size(), nowReady.size());
            }
            if (d == null && running.isEmpty()) {
                replicas.remove(name);
                ready.remove(name);
            }
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("deployment", namespace + "/" + name).log("stand-in sync failed: {}", e.toString());
        }
    }

    private Replica start(Deployment d, String template) {
        String pod = d.getMetadata().getName() + "-" + UUID.randomUUID().toString().substring(0, 5);
        Container runtime = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
        try {
            Path podDir = Files.createDirectories(dir.resolve(pod));
            Path configs = Files.createDirectories(podDir.resolve("configs"));
            mountSecrets(d, runtime, configs);
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder(JAVA.toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), StandInRuntime.class.getName())
                    .redirectOutput(podDir.resolve("out.log").toFile()).redirectError(podDir.resolve("err.log").toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG") || k.startsWith("TETHER_"));
            for (EnvVar e : Objects.requireNonNullElse(runtime.getEnv(), List.<EnvVar>of())) {
                if (e.getValue() != null) {
                    env.put(e.getName(), e.getValue());
                }
            }
            env.put("HOSTNAME", pod);
            env.put("A2A_PORT", Integer.toString(port));
            env.put("CONFIGS_DIR", configs.toString());
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            LOG.atInfo().addKeyValue("pod", namespace + "/" + pod).addKeyValue("port", port).log("stand-in started a replica");
            return new Replica(pod, template, process, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes what the container's Secret volumes put under /configs, as the kubelet would mount them. */
    private void mountSecrets(Deployment d, Container runtime, Path configs) throws IOException {
        for (VolumeMount mount : Objects.requireNonNullElse(runtime.getVolumeMounts(), List.<VolumeMount>of())) {
            if (!mount.getMountPath().startsWith("/configs/")) {
                continue;
            }
            Volume volume = d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseThrow();
            if (volume.getSecret() == null) {
                continue;
            }
            Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
            for (KeyToPath item : volume.getSecret().getItems()) {
                if (item.getPath().equals(mount.getSubPath())) {
                    Files.write(configs.resolve(mount.getMountPath().substring("/configs/".length())),
                            Base64.getDecoder().decode(secret.getData().get(item.getKey())));
                }
            }
        }
    }

    private void publish(String name, List<Replica> running, Set<String> nowReady) {
        Set<String> keep = new HashSet<>();
        for (Replica r : running) {
            String slice = r.pod();
            keep.add(slice);
            EndpointSlice v1 = new EndpointSliceBuilder().withNewMetadata().withName(slice).withNamespace(namespace)
                    .addToLabels("kubernetes.io/service-name", name)
                    .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                    .withAddressType("IPv4")
                    .addNewPort().withName(portName).withPort(r.port()).withProtocol("TCP").endPort()
                    .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(nowReady.contains(r.pod())).endConditions()
                    .endEndpoint().build();
            HasMetadata served = v1Slices ? v1 : client.getKubernetesSerialization().convertValue(v1,
                    io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class);
            served.setApiVersion(v1Slices ? "discovery.k8s.io/v1" : "discovery.k8s.io/v1beta1");
            client.resource(served).createOr(existing -> existing.update());
        }
        var slices = v1Slices ? client.discovery().v1().endpointSlices().inNamespace(namespace).withLabel("kubernetes.io/service-name", name)
                .list().getItems().stream().map(s -> (HasMetadata) s).toList()
                : client.discovery().v1beta1().endpointSlices().inNamespace(namespace).withLabel("kubernetes.io/service-name", name)
                .list().getItems().stream().map(s -> (HasMetadata) s).toList();
        slices.stream().filter(s -> !keep.contains(s.getMetadata().getName())).forEach(s -> client.resource(s).delete());
    }

    private void report(Deployment d, int replicaCount, int readyCount) {
        DeploymentStatus status = new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(replicaCount).withUpdatedReplicas(replicaCount).withReadyReplicas(readyCount).withAvailableReplicas(readyCount)
                .build();
        if (!status.equals(d.getStatus())) {
            client.apps().deployments().inNamespace(namespace).withName(d.getMetadata().getName()).editStatus(current -> {
                current.setStatus(status);
                return current;
            });
        }
    }

    @Override
    public void close() {
        deployments.close();
        try {
            loop.submit(() -> replicas.values().forEach(list -> list.forEach(r -> r.process().destroyForcibly()))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        loop.shutdownNow();
    }
}
