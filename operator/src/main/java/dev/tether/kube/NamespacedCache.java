package dev.tether.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An informer-backed read cache over the watched namespaces (all of them when none are named):
 * one informer per namespace, or one cluster-wide. Lookups never touch the API server.
 */
public final class NamespacedCache<T extends HasMetadata> implements AutoCloseable {
    private final List<SharedIndexInformer<T>> informers = new ArrayList<>();

    /**
     * @param kind       e.g. {@code client -> client.resources(Workspace.class)}
     * @param namespaces watched namespaces; empty for all
     * @param labels     a label selector, or null
     */
    public NamespacedCache(KubernetesClient client,
            Function<KubernetesClient, MixedOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>>> kind,
            List<String> namespaces, String labels) {
        var operation = kind.apply(client);
        if (namespaces.isEmpty()) {
            informers.add(labels == null
                    ? operation.inAnyNamespace().runnableInformer(0)
                    : operation.inAnyNamespace().withLabelSelector(labels).runnableInformer(0));
        } else {
            for (String ns : namespaces) {
                informers.add(labels == null
                        ? operation.inNamespace(ns).runnableInformer(0)
                        : operation.inNamespace(ns).withLabelSelector(labels).runnableInformer(0));
            }
        }
        informers.forEach(SharedIndexInformer::start);
    }

    public T get(String namespace, String name) {
        String key = namespace + "/" + name;
        for (SharedIndexInformer<T> informer : informers) {
            T item = informer.getStore().getByKey(key);
            if (item != null) {
                return item;
            }
        }
        return null;
    }

    /** Everything cached in one namespace, through the informers' namespace index. */
    public List<T> inNamespace(String namespace) {
        List<T> all = new ArrayList<>();
        informers.forEach(i -> all.addAll(i.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)));
        return all;
    }

    /** Calls {@code listener} with every item added (the cached ones first), updated or deleted from now on. */
    public void onChange(Consumer<? super T> listener) {
        informers.forEach(i -> i.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T item) {
                listener.accept(item);
            }

            @Override
            public void onUpdate(T before, T after) {
                listener.accept(after);
            }

            @Override
            public void onDelete(T item, boolean finalStateUnknown) {
                listener.accept(item);
            }
        }));
    }

    /** Calls {@code listener} with every item deleted from now on (the informers keep running). */
    public void onDelete(Consumer<T> listener) {
        ResourceEventHandler<T> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(T item) {
            }

            @Override
            public void onUpdate(T before, T after) {
            }

            @Override
            public void onDelete(T item, boolean finalStateUnknown) {
                listener.accept(item);
            }
        };
        informers.forEach(i -> i.addEventHandler(handler));
    }

    /** True once every informer has listed its namespace (for /readyz). */
    public boolean hasSynced() {
        return informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
    }
}
