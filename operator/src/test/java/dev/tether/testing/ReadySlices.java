package dev.tether.testing;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** What the endpoint controller writes once a Service's pod is ready, for tests that play it without a node stand-in. */
public final class ReadySlices {
    private ReadySlices() {
    }

    /**
     * One ready endpoint {@code 127.0.0.1:port} (port {@code a2a}) for {@code service}, labelled as the endpoint controller
     * labels its slices; {@code discovery.k8s.io/v1}, or {@code v1beta1} on a server that predates v1 (1.20).
     */
    public static void publish(KubernetesClient client, String namespace, String service, int port) {
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName(service + "-ready").withNamespace(namespace)
                .addToLabels("kubernetes.io/service-name", service)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4").addNewPort().withName("a2a").withPort(port).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint().build();
        try {
            client.discovery().v1().endpointSlices().resource(slice).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            var v1beta1 = client.getKubernetesSerialization().convertValue(slice, io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class);
            v1beta1.setApiVersion("discovery.k8s.io/v1beta1");
            client.discovery().v1beta1().endpointSlices().resource(v1beta1).create();
        }
    }
}
