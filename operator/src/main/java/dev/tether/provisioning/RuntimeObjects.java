package dev.tether.provisioning;

import dev.tether.api.PodTemplate;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.kube.OwnerReferences;
import dev.tether.reconciler.TokenSecrets;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Deployment and Service a provisioned workspace runs as, built from its spec.template without I/O. Tether's
 * injections win over what the template sets under the same name: the env vars WORKSPACE_ID, PLATFORM_URL and
 * A2A_PORT, the volume {@value #TOKEN_VOLUME}, the mount at {@value #TOKEN_PATH}, and the labels it selects pods by.
 */
public final class RuntimeObjects {
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String NAME = "tether-workspace";
    /** Selects every Deployment and Service Tether provisions, for informers. */
    public static final String SELECTOR = NAME_LABEL + "=" + NAME;
    public static final String PORT_NAME = "a2a";
    public static final int DEFAULT_PORT = 8000;
    public static final String TOKEN_VOLUME = "tether-token";
    public static final String TOKEN_FILE = ".auth_token";
    public static final String TOKEN_PATH = "/configs/" + TOKEN_FILE;
    public static final String WORKSPACE_ID = "WORKSPACE_ID";
    public static final String PLATFORM_URL = "PLATFORM_URL";
    public static final String A2A_PORT = "A2A_PORT";
    /** Changes with the token, so recreating the token Secret rolls the pods onto the new one. */
    public static final String TOKEN_HASH_ANNOTATION = "tether.dev/token-sha256";
    /** What {@code kubectl rollout restart} sets; carried over so Tether does not undo a restart. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private RuntimeObjects() {
    }

    /** The labels pods, the Deployment and the Service carry, and the selector both use. */
    public static Map<String, String> labels(String workspace) {
        return Map.of(NAME_LABEL, NAME, TokenSecrets.WORKSPACE_LABEL, workspace);
    }

    /** The template's pod spec as a typed object; its first container is the runtime. */
    public static PodSpec podSpec(Workspace ws, KubernetesSerialization serialization) {
        PodTemplate template = ws.getSpec().getTemplate();
        PodSpec spec;
        try {
            spec = template.spec() == null || template.spec().isNull() ? null : serialization.convertValue(template.spec(), PodSpec.class);
        } catch (IllegalArgumentException e) {
            throw new InvalidTemplateException("spec.template.spec is not a pod spec: " + rootCause(e));
        }
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            throw new InvalidTemplateException("spec.template.spec.containers: at least one container (the runtime) is required");
        }
        return spec;
    }

    /** The runtime's A2A port: its first container's port named {@value #PORT_NAME}, else {@value #DEFAULT_PORT}. */
    public static int a2aPort(PodSpec spec) {
        return namedPort(spec).map(ContainerPort::getContainerPort).orElse(DEFAULT_PORT);
    }

    /** The image of the runtime's container. */
    public static String image(PodSpec spec) {
        return spec.getContainers().getFirst().getImage();
    }

    /**
     * @param tokenSha256 the hash of the token the pods mount
     * @param current     the Deployment as it is, or null; a restart requested on it is kept
     * @param replicas    1, or 0 while suspended or hibernated
     */
    public static Deployment deployment(Workspace ws, PodSpec spec, String tokenSha256, Deployment current, ProvisioningSettings settings,
            int replicas) {
        String name = ws.getMetadata().getName();
        PodTemplate template = ws.getSpec().getTemplate();
        Map<String, String> podLabels = new LinkedHashMap<>();
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        if (template.metadata() != null) {
            Optional.ofNullable(template.metadata().labels()).ifPresent(podLabels::putAll);
            Optional.ofNullable(template.metadata().annotations()).ifPresent(podAnnotations::putAll);
        }
        podLabels.putAll(labels(name));
        podAnnotations.put(TOKEN_HASH_ANNOTATION, tokenSha256);
        restartedAt(current).ifPresent(at -> podAnnotations.put(RESTARTED_AT, at));

        return new DeploymentBuilder()
                .withMetadata(ownedMetadata(ws))
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector().withMatchLabels(labels(name)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withSpec(inject(ws, spec, settings))
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Port {@value #PORT_NAME} to the runtime's A2A port, by name when the template names it. */
    public static Service service(Workspace ws, PodSpec spec) {
        int port = a2aPort(spec);
        return new ServiceBuilder()
                .withMetadata(ownedMetadata(ws))
                .withNewSpec()
                .withSelector(labels(ws.getMetadata().getName()))
                .addNewPort()
                .withName(PORT_NAME)
                .withProtocol("TCP")
                .withPort(port)
                .withTargetPort(namedPort(spec).isPresent() ? new IntOrString(PORT_NAME) : new IntOrString(port))
                .endPort()
                .endSpec()
                .build();
    }

    private static PodSpec inject(Workspace ws, PodSpec template, ProvisioningSettings settings) {
        PodSpec spec = new PodSpecBuilder(template).build();
        Container runtime = spec.getContainers().getFirst();

        Map<String, EnvVar> env = new LinkedHashMap<>();
        Optional.ofNullable(runtime.getEnv()).orElse(List.of()).forEach(e -> env.put(e.getName(), e));
        env.put(WORKSPACE_ID, new EnvVar(WORKSPACE_ID, WorkspaceId.of(ws).shortForm(settings.defaultNamespace()), null));
        if (settings.platformUrl() != null) {
            env.put(PLATFORM_URL, new EnvVar(PLATFORM_URL, settings.platformUrl(), null));
        }
        env.put(A2A_PORT, new EnvVar(A2A_PORT, Integer.toString(a2aPort(template)), null));
        runtime.setEnv(new ArrayList<>(env.values()));

        List<VolumeMount> mounts = new ArrayList<>(Optional.ofNullable(runtime.getVolumeMounts()).orElse(List.of()));
        mounts.removeIf(m -> TOKEN_VOLUME.equals(m.getName()) || TOKEN_PATH.equals(m.getMountPath()));
        // One file, not the directory: the image's own /configs stays visible.
        mounts.add(new VolumeMountBuilder().withName(TOKEN_VOLUME).withMountPath(TOKEN_PATH).withSubPath(TOKEN_FILE).withReadOnly(true).build());
        runtime.setVolumeMounts(mounts);

        List<Volume> volumes = new ArrayList<>(Optional.ofNullable(spec.getVolumes()).orElse(List.of()));
        volumes.removeIf(v -> TOKEN_VOLUME.equals(v.getName()));
        volumes.add(new VolumeBuilder().withName(TOKEN_VOLUME)
                .withNewSecret().withSecretName(TokenSecrets.name(ws)).addNewItem().withKey(TokenSecrets.TOKEN_KEY).withPath(TOKEN_FILE).endItem()
                .endSecret().build());
        spec.setVolumes(volumes);
        return spec;
    }

    private static Optional<ContainerPort> namedPort(PodSpec spec) {
        return Optional.ofNullable(spec.getContainers().getFirst().getPorts()).orElse(List.of()).stream()
                .filter(p -> PORT_NAME.equals(p.getName()) && p.getContainerPort() != null).findFirst();
    }

    private static Optional<String> restartedAt(Deployment current) {
        return Optional.ofNullable(current).map(Deployment::getSpec).map(s -> s.getTemplate()).map(t -> t.getMetadata())
                .map(ObjectMeta::getAnnotations).map(a -> a.get(RESTARTED_AT));
    }

    private static ObjectMeta ownedMetadata(Workspace ws) {
        return new ObjectMetaBuilder()
                .withName(ws.getMetadata().getName())
                .withNamespace(ws.getMetadata().getNamespace())
                .withLabels(labels(ws.getMetadata().getName()))
                .addToLabels("app.kubernetes.io/managed-by", "tether")
                .withOwnerReferences(OwnerReferences.controlledBy(ws))
                .build();
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        // Jackson appends the source location and a reference chain; the first line says what is wrong.
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
