package dev.tether.proxy.routing;

import dev.tether.api.WorkspaceId;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy replicas, as the ready addresses of the proxy's own Service (its Endpoints, read from an informer), and
 * which of them holds each workspace's task slots ({@link Rendezvous} over those endpoints). A replica serves the task
 * calls of the workspaces it owns and relays the others to their owner; when a replica goes, Kubernetes takes its
 * endpoint out and its workspaces move to the others.
 */
public final class ProxyPeers implements AutoCloseable {
    /** Serving every workspace itself: a proxy started without a peer Service (one replica, or the dev role). */
    public static final ProxyPeers ALONE = new ProxyPeers();

    private static final Logger LOG = LoggerFactory.getLogger(ProxyPeers.class);

    private final SharedIndexInformer<Endpoints> informer;
    private final String portName;
    private volatile String self;
    private volatile List<String> members = List.of();
    private volatile Set<InetAddress> addresses = Set.of();
    private final Map<WorkspaceId, Optional<String>> owners = new ConcurrentHashMap<>();

    private ProxyPeers() {
        informer = null;
        portName = null;
    }

    private ProxyPeers(KubernetesClient client, String namespace, String service, String portName) {
        this.portName = portName;
        // Endpoints, not EndpointSlices: served by every API server Tether supports (discovery.k8s.io/v1 only from 1.21).
        informer = client.endpoints().inNamespace(namespace).withName(service).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Endpoints endpoints) {
                refresh();
            }

            @Override
            public void onUpdate(Endpoints before, Endpoints now) {
                refresh();
            }

            @Override
            public void onDelete(Endpoints endpoints, boolean unknown) {
                refresh();
            }
        });
        informer.exceptionHandler((started, t) -> {
            LOG.warn("watching the Endpoints of proxy Service {}/{} failed: {}; retrying", namespace, service, t.toString());
            return true;
        });
    }

    /** Peers from the Endpoints of {@code service} in {@code namespace}, port {@code portName} (or the only port). */
    public static ProxyPeers watching(KubernetesClient client, String namespace, String service, String portName) {
        return new ProxyPeers(client, namespace, service, portName);
    }

    /** Starts watching, as the replica at {@code selfAddress} ({@code host:port}). */
    public void start(String selfAddress) {
        self = selfAddress;
        if (informer != null) {
            informer.start();
        }
    }

    public boolean isSynced() {
        return informer == null || informer.hasSynced();
    }

    /** The replica that holds {@code workspace}'s task slots, when it is another one; empty when this replica does. */
    public Optional<String> elsewhere(WorkspaceId workspace) {
        if (informer == null) {
            return Optional.empty();
        }
        return owners.computeIfAbsent(workspace, w -> Rendezvous.owner(w.toString(), members).filter(owner -> !owner.equals(self)));
    }

    /** Whether {@code remote} is a peer replica's address (a relayed call is honoured only from one). */
    public boolean isPeer(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && addresses.contains(inet.getAddress());
    }

    /** The ready replicas right now, {@code host:port}, sorted. */
    public List<String> members() {
        return members;
    }

    private synchronized void refresh() {
        List<String> ready = new ArrayList<>();
        for (Endpoints endpoints : informer.getStore().list()) {
            for (EndpointSubset subset : endpoints.getSubsets() == null ? List.<EndpointSubset>of() : endpoints.getSubsets()) {
                Integer port = port(subset);
                if (port != null && subset.getAddresses() != null) {
                    for (EndpointAddress address : subset.getAddresses()) { // ready ones; the others are under notReadyAddresses
                        ready.add(authority(address.getIp(), port));
                    }
                }
            }
        }
        List<String> sorted = ready.stream().distinct().sorted().toList();
        if (!sorted.equals(members)) {
            LOG.info("proxy replicas now {} (this one {})", sorted, self);
            members = sorted;
            addresses = sorted.stream().map(ProxyPeers::host).map(ProxyPeers::inet).flatMap(Optional::stream)
                    .collect(Collectors.toUnmodifiableSet());
            owners.clear();
        }
    }

    private Integer port(EndpointSubset subset) {
        List<EndpointPort> ports = subset.getPorts() == null ? List.of() : subset.getPorts();
        return ports.stream().filter(p -> portName.equals(p.getName())).findFirst()
                .or(() -> ports.size() == 1 ? Optional.of(ports.get(0)) : Optional.empty())
                .map(EndpointPort::getPort).orElse(null);
    }

    /** {@code host:port}, an IPv6 host in brackets, as a URL names it. */
    public static String authority(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String host(String member) {
        String host = member.substring(0, member.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static Optional<InetAddress> inet(String literal) {
        return Optional.ofNullable(NetUtil.createInetAddressFromIpAddressString(literal));
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
