package dev.tether.bench;

import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Benchmark 8 against a real kube-apiserver (the real-API test tier's, built by ../shared/tools/kube-apiserver.sh;
 * skipped without it): the writes and watch deliveries each wake goes through are a real API server's and etcd's.
 */
class ColdStartOnRealApiBenchmark {
    static final String NAME = "cold-start-real-api";

    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        ColdStartBenchmark.measure(NAME, kube.client(), kube.namespace(), kube.kubeconfig());
    }
}
