package dev.tether.bench;

import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Benchmark 5 against a real kube-apiserver (the real-API test tier's, built by
 * ../shared/tools/kube-apiserver.sh; skipped without it): the API server and etcd are their own
 * processes, so this JVM's heap and RSS are the operator's (plus the small harness).
 */
class OperatorScaleOnRealApiBenchmark {
    static final String NAME = "operator-scale-real-api";

    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Test
    void run() {
        Bench.machine(NAME);
        OperatorScaleBenchmark.converge(NAME, kube.client(), kube.namespace(), Bench.pick("workspaces", 200, 10_000));
    }
}
