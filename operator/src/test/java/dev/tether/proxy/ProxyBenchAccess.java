package dev.tether.proxy;

import dev.tether.api.WorkspaceId;
import dev.tether.proxy.routing.EnforcedPolicy;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * What the benchmarks in {@code dev.tether.bench} need from the proxy's package: the idle window a
 * proxy would enforce on its next dispatch (read from its own informer, through the same rule its
 * watchdog uses), and a scripted agent on loopback.
 */
public final class ProxyBenchAccess {
    private ProxyBenchAccess() {
    }

    /** The idle window, in seconds, the proxy enforces for {@code namespace/name} right now; empty if it does not know it. */
    public static OptionalInt idleSeconds(DispatchProxy proxy, ProxySettings settings, String namespace, String name) {
        return proxy.directory().find(new WorkspaceId(namespace, name))
                .map(ws -> OptionalInt.of(EnforcedPolicy.of(ws, (int) settings.defaultIdleTimeout().toSeconds(),
                        (int) settings.defaultMaxDuration().toSeconds()).idle().seconds())).orElse(OptionalInt.empty());
    }

    /** A loopback agent: {@code /silent} answers only after {@code silence} (or when closed), {@code /echo} at once. */
    public static final class Agent implements AutoCloseable {
        private final TestAgent agent = new TestAgent();

        public Agent(Duration silence) {
            agent.on("/silent", agent.answerAfter(silence));
            agent.on("/echo", TestAgent.Exchange::echo);
        }

        public String url(String path) {
            return agent.url(path);
        }

        @Override
        public void close() {
            agent.close();
        }
    }
}
