package dev.tether.dev;

import dev.tether.cli.RoleRunner;
import dev.tether.config.DurationConverter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(usageHelpAutoWidth = true, name = "dev", mixinStandardHelpOptions = true,
        description = "Run the whole system in one process with no cluster: an embedded Kubernetes API, the operator, "
                + "the heartbeat endpoint, the proxy and a sample agent that can be told to stay silent.")
public final class DevCommand implements Callable<Integer> {
    @Option(names = "--demo",
            description = "Run the story by itself and exit: a dispatch to a silent agent fails at the default window, "
                    + "the runtime heartbeats a longer window, the same dispatch succeeds. Exit code 0 on success.")
    boolean demo;

    @Option(names = "--operator-port", defaultValue = "8080",
            description = "Port of the operator (heartbeats); 0 picks a free one. Default: ${DEFAULT-VALUE} (free port with --demo).")
    int operatorPort;

    @Option(names = "--proxy-port", defaultValue = "8090",
            description = "Port of the dispatch proxy; 0 picks a free one. Default: ${DEFAULT-VALUE} (free port with --demo).")
    int proxyPort;

    @Option(names = "--default-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "The platform default idle window in the dev system. Default: ${DEFAULT-VALUE} (3s with --demo).")
    Duration defaultIdleTimeout;

    @Option(names = "--agent-silence", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "15s",
            description = "How long the sample agent stays silent before answering. Default: ${DEFAULT-VALUE} (5s with --demo).")
    Duration agentSilence;

    @Override
    public Integer call() throws Exception {
        DevRole.Settings settings = demo
                ? new DevRole.Settings(0, 0, Duration.ofSeconds(3), Duration.ofSeconds(5))
                : new DevRole.Settings(operatorPort, proxyPort, defaultIdleTimeout, agentSilence);
        DevRole dev = DevRole.start(settings);
        if (demo) {
            try (dev) {
                return new DevDemo(dev, System.out).run() ? 0 : 1;
            }
        }
        System.out.println(dev.banner(dev.token(Duration.ofSeconds(30))));
        return RoleRunner.runUntilShutdown("dev", dev);
    }
}
