package dev.tether.proxy.routing;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ready pod addresses of one provisioned workspace, read from its Service's EndpointSlices: each endpoint that is
 * ready (unset counts as ready, as Kubernetes documents) and not terminating, at the slice's port named {@value #PORT}.
 * Pure.
 */
public final class ReadyEndpoints {
    /** The Service port Tether names; the EndpointSlice carries it under the same name with the pod's port number. */
    static final String PORT = "a2a";

    private ReadyEndpoints() {
    }

    public static List<InetSocketAddress> of(List<EndpointSlice> slices) {
        List<InetSocketAddress> ready = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            Integer port = slice.getPorts() == null ? null : slice.getPorts().stream()
                    .filter(p -> PORT.equals(p.getName())).map(EndpointPort::getPort).filter(Objects::nonNull).findFirst().orElse(null);
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (ready(endpoint.getConditions()) && endpoint.getAddresses() != null && !endpoint.getAddresses().isEmpty()) {
                    // Addresses of one endpoint are one pod; the first is enough.
                    ready.add(InetSocketAddress.createUnresolved(endpoint.getAddresses().getFirst(), port));
                }
            }
        }
        return ready.stream().distinct().sorted((a, b) -> (a.getHostString() + ":" + a.getPort()).compareTo(b.getHostString() + ":" + b.getPort()))
                .toList();
    }

    private static boolean ready(EndpointConditions conditions) {
        return conditions == null || !Boolean.FALSE.equals(conditions.getReady()) && !Boolean.TRUE.equals(conditions.getTerminating());
    }
}
