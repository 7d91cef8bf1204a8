package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ReconcileFailureTest {
    @Test
    void anApiServerRefusalCarriesItsCodeAndMessage() {
        KubernetesClientException forbidden = new KubernetesClientException(new StatusBuilder().withCode(403)
                .withMessage("secrets is forbidden: User \"system:serviceaccount:tether:tether\" cannot create resource \"secrets\"").build());

        assertThat(ReconcileFailure.describe(forbidden))
                .isEqualTo("the API server answered 403: secrets is forbidden: User \"system:serviceaccount:tether:tether\""
                        + " cannot create resource \"secrets\"");
    }

    @Test
    void anUnreachableApiServerSaysSoWithTheCause() {
        KubernetesClientException down = new KubernetesClientException("request failed", new ConnectException("Connection refused"));

        assertThat(ReconcileFailure.describe(down)).isEqualTo("the API server cannot be reached (ConnectException: Connection refused)");
    }

    @Test
    void aLongCauseIsCutToFitACondition() {
        String described = ReconcileFailure.describe(new ReconcileFailure("x".repeat(2000)));

        assertThat(described).hasSize(ReconcileFailure.MAX_MESSAGE + 3).endsWith("...");
    }
}
