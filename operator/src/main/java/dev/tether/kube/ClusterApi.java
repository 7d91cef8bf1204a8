package dev.tether.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket addresses of the cluster's API server as this process reaches it: the client's server URL and, in a
 * pod, the {@code kubernetes} Service ({@code KUBERNETES_SERVICE_HOST}/{@code _PORT}). Resolved once, at start.
 */
public final class ClusterApi {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterApi.class);

    private ClusterApi() {
    }

    public static Set<InetSocketAddress> addresses(KubernetesClient client) {
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        URI server = URI.create(client.getConfiguration().getMasterUrl());
        int port = server.getPort() > 0 ? server.getPort() : "https".equalsIgnoreCase(server.getScheme()) ? 443 : 80;
        add(out, server.getHost(), port);
        String serviceHost = System.getenv("KUBERNETES_SERVICE_HOST");
        String servicePort = System.getenv("KUBERNETES_SERVICE_PORT");
        if (serviceHost != null && servicePort != null && servicePort.matches("\\d{1,5}")) {
            add(out, serviceHost, Integer.parseInt(servicePort));
        }
        return out;
    }

    private static void add(Set<InetSocketAddress> out, String host, int port) {
        if (host == null) {
            return;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host.replace("[", "").replace("]", ""))) {
                out.add(new InetSocketAddress(a, port));
            }
        } catch (UnknownHostException e) {
            LOG.atWarn().addKeyValue("host", host).log("cannot resolve the API server's host to keep registered agent URLs off it: {}",
                    e.getMessage());
        }
    }
}
