package dev.tether.bench;

import dev.tether.proxy.DispatchProxy;
import dev.tether.proxy.ProxyBenchAccess;
import dev.tether.proxy.ProxySettings;
import dev.tether.testing.Probes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Benchmark 4, propagation: the whole chain in one process on the embedded mock API — a runtime's
 * heartbeat declares a new idle window; the heartbeat endpoint patches status.runtime; the reconciler
 * resolves and writes status.dispatch; the proxy's informer sees it. Timed from sending the heartbeat to
 * the moment the proxy's own directory yields the new window through the same rule its watchdog applies
 * to every dispatch (so the next dispatch, and every check of the in-flight ones, enforces it). The
 * declared window alternates between two values every round.
 */
class PropagationBenchmark {
    static final String NAME = "propagation";

    @Test
    void run() throws Exception {
        Bench.machine(NAME);
        int rounds = Bench.pick("rounds", 10, 100);
        int background = Bench.pick("workspaces", 10, 1_000);
        try (BenchApi api = new BenchApi(); OperatorBench op = new OperatorBench(api, Duration.ofSeconds(10));
                ConvergenceWatch convergence = new ConvergenceWatch(api.client, BenchApi.NS);
                ProxyBenchAccess.Agent agent = new ProxyBenchAccess.Agent(Duration.ofSeconds(1))) {
            ProxySettings settings = ProxySettings.builder().host("127.0.0.1").port(0).defaultNamespace(BenchApi.NS).build();
            try (DispatchProxy proxy = DispatchProxy.start(api.client, settings)) {
                // Other workspaces share the informers and the reconciler's queue, as in a real cluster.
                OperatorBench.createWorkspaces(api, "other", background, agent.url("/echo"));
                api.create("prop", agent.url("/echo"));
                String token = op.tokens(List.of("prop"), Duration.ofMinutes(5)).get("prop");
                BenchApi.require(Duration.ofSeconds(60), "proxy ready", () -> Probes.ready(proxy.baseUrl()));
                BenchApi.require(Duration.ofSeconds(60), "registry knows the token",
                        () -> op.heartbeat(token, OperatorBench.beat(BenchApi.NS, "prop", "", 20)) == 200);
                BenchApi.require(Duration.ofSeconds(60), "first window at the proxy",
                        () -> ProxyBenchAccess.idleSeconds(proxy, settings, BenchApi.NS, "prop").orElse(-1) == 20);
                BenchApi.require(Duration.ofMinutes(5), "background workspaces converged", () -> convergence.count() == background + 1);

                List<Long> endToEnd = new ArrayList<>();
                List<Long> heartbeatCall = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    int window = round % 2 == 0 ? 30 : 20;
                    long sent = System.nanoTime();
                    int status = op.heartbeat(token, OperatorBench.beat(BenchApi.NS, "prop", "", window));
                    heartbeatCall.add(System.nanoTime() - sent);
                    if (status != 200) {
                        throw new AssertionError("heartbeat answered " + status);
                    }
                    BenchApi.require(Duration.ofSeconds(30), "window " + window + " at the proxy",
                            () -> ProxyBenchAccess.idleSeconds(proxy, settings, BenchApi.NS, "prop").orElse(-1) == window);
                    endToEnd.add(System.nanoTime() - sent);
                    BenchApi.await(Duration.ofMillis(50 + ThreadLocalRandom.current().nextInt(100)), () -> false);
                }
                Bench.print(NAME, "rounds=%d otherWorkspaces=%d heartbeatToProxyMs p50=%s p99=%s max=%s (heartbeat call itself p50=%s p99=%s)",
                        rounds, background, Bench.ms(Bench.median(endToEnd)), Bench.ms(Bench.percentile(endToEnd, 99)),
                        Bench.ms(Bench.percentile(endToEnd, 100)), Bench.ms(Bench.median(heartbeatCall)),
                        Bench.ms(Bench.percentile(heartbeatCall, 99)));
            }
        }
    }

}
