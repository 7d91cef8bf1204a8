package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.config.InvalidSettingException;
import dev.tether.proxy.ProxySettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code tether proxy}: flags become settings, and a bad one stops start-up before any connection is made. */
class ProxyCommandLineTest {
    static ProxyCommand parse(String... args) {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void flagsBecomeTheProxysSettings() {
        ProxySettings settings = parse("--port", "9000", "--namespaces", "team-a, team-b", "--default-namespace", "team-a",
                "--default-idle-timeout", "10m", "--sse-keepalive", "5s").settings();

        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.namespaces()).containsExactly("team-a", "team-b");
        assertThat(settings.defaultNamespace()).isEqualTo("team-a");
        assertThat(settings.defaultIdleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.sseKeepalive()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.host()).isEqualTo("0.0.0.0");
    }

    @Test
    void defaultsMatchTheDocumentation() {
        ProxySettings settings = parse().settings();

        assertThat(settings.port()).isEqualTo(8090);
        assertThat(settings.namespaces()).isEmpty();
        assertThat(settings.defaultIdleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(settings.defaultMaxDuration()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(settings.sseKeepalive()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.maxRequestBytes()).isEqualTo(1 << 20);
        assertThat(settings.maxResponseBytes()).isEqualTo(10 << 20);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --sse-keepalive=0s          | --sse-keepalive
            --default-idle-timeout=0s   | --default-idle-timeout
            --default-idle-timeout=90s5 | --default-idle-timeout
            --port=70000                | --port
            --default-namespace=        | --default-namespace
            """)
    void invalidSettingStopsStartUpNamingTheFlag(String arg, String flag) {
        CommandLine cli = dev.tether.Tether.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(err));

        int code = cli.execute("proxy", arg);

        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains(flag);
    }

    @Test
    void settingsRefuseANonPositiveKeepaliveByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxySettings.builder().sseKeepalive(Duration.ZERO).build())
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("--sse-keepalive");
        assertThat(ProxySettings.builder().namespaces(List.of("a")).build().namespaces()).containsExactly("a");
    }
}
