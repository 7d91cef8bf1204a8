package dev.tether.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which addresses of a Service's EndpointSlices take dispatches. */
class ReadyEndpointsTest {
    static EndpointSlice slice(String portName, int port, String address, EndpointConditions conditions) {
        return new EndpointSliceBuilder().withNewMetadata().withName("s").endMetadata().withAddressType("IPv4")
                .addNewPort().withName(portName).withPort(port).endPort()
                .addNewEndpoint().withAddresses(address).withConditions(conditions).endEndpoint().build();
    }

    static EndpointConditions conditions(Boolean ready, Boolean terminating) {
        EndpointConditions c = new EndpointConditions();
        c.setReady(ready);
        c.setTerminating(terminating);
        return c;
    }

    @Test
    void readyOrUnknownEndpointsCountAtTheA2aPortAndTerminatingOrUnreadyOnesDoNot() {
        List<InetSocketAddress> ready = ReadyEndpoints.of(List.of(
                slice("a2a", 9000, "10.0.0.1", conditions(true, null)),
                slice("a2a", 9000, "10.0.0.2", null),
                slice("a2a", 9000, "10.0.0.3", conditions(false, null)),
                slice("a2a", 9000, "10.0.0.4", conditions(true, true)),
                slice("metrics", 9100, "10.0.0.5", conditions(true, null))));

        assertThat(ready).extracting(a -> a.getHostString() + ":" + a.getPort()).containsExactly("10.0.0.1:9000", "10.0.0.2:9000");
    }

    @Test
    void noSlicesMeansNoEndpoint() {
        assertThat(ReadyEndpoints.of(List.of())).isEmpty();
    }
}
