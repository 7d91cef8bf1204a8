package dev.tether;

import dev.tether.cli.OperatorCommand;
import dev.tether.cli.ProxyCommand;
import dev.tether.config.InvalidSettingException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The one jar's entry point: {@code java -jar tether.jar operator|proxy|dev}. */
@Command(name = "tether",
        mixinStandardHelpOptions = true,
        versionProvider = Tether.Version.class,
        description = "Kubernetes operator and dispatch proxy for A2A agent workspaces.",
        subcommands = {OperatorCommand.class, ProxyCommand.class})
public final class Tether implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and the tests so both parse the same way. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Tether());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof InvalidSettingException) {
                commandLine.getErr().println("tether: " + ex.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            throw ex;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a role: "
                + String.join(", ", spec.commandLine().getSubcommands().keySet()));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Tether.class.getPackage().getImplementationVersion();
            return new String[] {"tether " + (v == null ? "(development build)" : v)};
        }
    }
}
