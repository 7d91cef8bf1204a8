package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command line a person types: help for each role, and start-up refusing bad settings by name. */
public class CommandLineTest {
    /** What a command printed and how it exited. */
    public record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        return run(Tether.commandLine(), args);
    }

    /** Runs {@code cli} as a person would, capturing what it prints. */
    public static Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        // Help wraps to the terminal width; compare words, not line breaks.
        return new Run(code, out.toString().replaceAll("\\s+", " "), err.toString().replaceAll("\\s+", " "));
    }

    @Test
    void operatorHelpDescribesEveryFlagAndItsEnvironmentVariable() {
        Run help = run("operator", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--port", "--namespaces", "--default-namespace", "--default-idle-timeout",
                "--min-idle-timeout", "--max-idle-timeout", "--default-max-duration", "--offline-after",
                "--heartbeat-status-interval", "--leader-election",
                "TETHER_DEFAULT_IDLE_TIMEOUT", "TETHER_OFFLINE_AFTER", "Default: 300s", "Default: 8080");
    }

    @Test
    void proxyHelpDescribesEveryFlag() {
        Run help = run("proxy", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--port", "--namespaces", "--default-namespace", "--default-idle-timeout",
                "--sse-keepalive", "Default: 8090", "Default: 15s");
    }

    @Test
    void noRoleIsAUsageErrorNamingTheRolesOfThisJar() {
        Run run = run();
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("name a role: operator, proxy");
        assertThat(run("dev").exitCode()).as("the production jar carries no dev role").isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --default-idle-timeout | 5x  | --default-idle-timeout
            --offline-after        | 3   | --offline-after
            --port                 | abc | --port
            --sse-keepalive        | -1s | --sse-keepalive
            """)
    void unparsableValueStopsStartUpNamingTheFlag(String flag, String value, String named) {
        String role = flag.equals("--sse-keepalive") ? "proxy" : "operator";
        Run run = run(role, flag, value);
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains(named).contains(value);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            min above max         | --min-idle-timeout=3h       | --min-idle-timeout
            default below min     | --default-idle-timeout=5s   | --default-idle-timeout
            default above max     | --default-idle-timeout=3h   | --default-idle-timeout
            zero ceiling          | --default-max-duration=0s   | --default-max-duration
            sub-second default    | --default-idle-timeout=1500ms | --default-idle-timeout
            offline before refresh | --offline-after=90s         | --offline-after
            """)
    void inconsistentSettingsStopStartUpNamingTheFlag(String description, String arg, String named) {
        Run run = run("operator", arg);
        assertThat(run.exitCode()).as(description).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("invalid setting " + named);
    }
}
