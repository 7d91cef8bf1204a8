package dev.tether.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(usageHelpAutoWidth = true, name = "dev", mixinStandardHelpOptions = true,
        description = "Run the whole system in one process with no cluster: an embedded Kubernetes API, the operator, "
                + "the heartbeat endpoint, the proxy and a sample agent that can be told to stay silent.")
public final class DevCommand implements Callable<Integer> {
    @Option(names = "--demo",
            description = "Run the story by itself and exit: a dispatch to a silent agent fails at the default window, the runtime heartbeats a longer window, the same dispatch succeeds.")
    boolean demo;

    @Override
    public Integer call() {
        System.err.println("tether: the dev role is not implemented yet");
        return 3;
    }
}
