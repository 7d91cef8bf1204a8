package dev.tether.proxy.routing;

import dev.tether.api.WorkspaceId;
import dev.tether.kube.NamespacedCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ready endpoints of every provisioned workspace, from an informer over the EndpointSlices Kubernetes' endpoint
 * controller maintains (label {@value #MANAGED_BY}): slices anyone else writes are not trusted to say where a workspace
 * is. Reads {@code discovery.k8s.io/v1} where the cluster serves it, else {@code v1beta1} (same fields). Lookups are
 * a map read; the map is recomputed per Service when one of its slices changes.
 */
final class EndpointDirectory implements AutoCloseable {
    static final String SERVICE_NAME = "kubernetes.io/service-name";
    static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String ENDPOINT_CONTROLLER = "endpointslice-controller.k8s.io";
    static final String SELECTOR = SERVICE_NAME + "," + MANAGED_BY + "=" + ENDPOINT_CONTROLLER;

    private static final Logger LOG = LoggerFactory.getLogger(EndpointDirectory.class);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final Map<WorkspaceId, List<InetSocketAddress>> ready = new ConcurrentHashMap<>();
    private final NamespacedCache<? extends HasMetadata> cache;
    private volatile Consumer<WorkspaceId> listener = id -> {
    };

    EndpointDirectory(KubernetesClient client, List<String> namespaces) {
        boolean v1 = servesV1(client);
        cache = v1
                ? new NamespacedCache<>(client, c -> c.discovery().v1().endpointSlices(), namespaces, SELECTOR)
                : new NamespacedCache<>(client, c -> c.discovery().v1beta1().endpointSlices(), namespaces, SELECTOR);
        cache.onChange(this::refresh);
    }

    /** Older clusters (before 1.21) serve only v1beta1; v1 otherwise, and when the server cannot be asked or does not say. */
    private static boolean servesV1(KubernetesClient client) {
        try {
            var group = client.getApiGroup("discovery.k8s.io");
            return group == null || group.getVersions() == null || group.getVersions().stream().noneMatch(v -> "v1beta1".equals(v.getVersion()))
                    || group.getVersions().stream().anyMatch(v -> "v1".equals(v.getVersion()));
        } catch (KubernetesClientException e) {
            LOG.atWarn().log("cannot ask the API server which EndpointSlice version it serves ({}); reading discovery.k8s.io/v1", e.getMessage());
            return true;
        }
    }

    /** Told, on the informer's thread, of each workspace whose ready endpoints were recomputed. */
    void onChange(Consumer<WorkspaceId> value) {
        listener = value;
    }

    /** The workspace's ready pod addresses, empty when none is ready (or it has no slices). */
    List<InetSocketAddress> ready(WorkspaceId workspace) {
        return ready.getOrDefault(workspace, List.of());
    }

    boolean isSynced() {
        return cache.hasSynced();
    }

    @Override
    public void close() {
        cache.close();
    }

    private void refresh(HasMetadata changed) {
        String namespace = changed.getMetadata().getNamespace();
        String service = changed.getMetadata().getLabels().get(SERVICE_NAME);
        WorkspaceId id = new WorkspaceId(namespace, service);
        List<EndpointSlice> slices = cache.inNamespace(namespace).stream()
                .filter(s -> service.equals(s.getMetadata().getLabels().get(SERVICE_NAME)))
                .map(EndpointDirectory::asV1).toList();
        List<InetSocketAddress> now = ReadyEndpoints.of(slices);
        if (now.isEmpty()) {
            ready.remove(id);
        } else {
            ready.put(id, now);
        }
        listener.accept(id);
    }

    /** v1beta1 slices carry the fields we read under the same names. */
    private static EndpointSlice asV1(HasMetadata slice) {
        return slice instanceof EndpointSlice v1 ? v1 : SERIALIZATION.convertValue(slice, EndpointSlice.class);
    }
}
