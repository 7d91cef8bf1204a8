package dev.tether.bench;

import dev.tether.testing.RealKubeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Benchmark 3 against a real kube-apiserver (the real-API test tier's, built by
 * ../shared/tools/kube-apiserver.sh; skipped without it): the API server and etcd are processes of their own (their
 * CPU is reported as theirs), so the mock's per-request scan of every stored object no longer bounds the heartbeat
 * endpoint; the operator reaches them with the tier's kubeconfig.
 */
class HeartbeatIngestOnRealApiBenchmark {
    static final String NAME = "heartbeat-ingest-real-api";
    private static final String[] STATUS_PATCHES = {"resource=\"workspaces\"", "subresource=\"status\"", "verb=\"PATCH\""};

    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        // Status writes as the API server counts and times them itself, as BenchApi counts them on the mock
        // (this API server serves this benchmark alone).
        HeartbeatIngestBenchmark.ingest(NAME, kube.client(), kube.namespace(), kube.kubeconfig(), () -> {
            String metrics = kube.client().raw("/metrics");
            return new HeartbeatIngestBenchmark.ApiWrites((long) Bench.metricSum(metrics, "apiserver_request_total", STATUS_PATCHES),
                    Bench.metricSum(metrics, "apiserver_request_duration_seconds_sum", STATUS_PATCHES));
        }, () -> Bench.childProcessesCpuNanos("kube-apiserver", "etcd"), "apiServerAndEtcd");
    }
}
