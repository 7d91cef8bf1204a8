package dev.tether.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.cli.CommandLineTest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The dev jar's command line: Tether's roles plus {@code dev}. */
class DevCommandLineTest {
    @Test
    void devHelpDescribesTheDemo() {
        CommandLineTest.Run help = CommandLineTest.run(TetherDev.commandLine(), "dev", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--demo", "embedded Kubernetes API");
    }

    @Test
    void noRoleIsAUsageErrorNamingAllThree() {
        CommandLineTest.Run run = CommandLineTest.run(TetherDev.commandLine());
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("name a role: operator, proxy, dev");
    }
}
