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
                "--default-idle-timeout", "10m", "--sse-keepalive", "5s", "--allow-registered-networks", "127.0.0.0/8,fd00::/8").settings();

        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.namespaces()).containsExactly("team-a", "team-b");
        assertThat(settings.defaultNamespace()).isEqualTo("team-a");
        assertThat(settings.defaultIdleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.sseKeepalive()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.allowedRegisteredNetworks()).containsExactly("127.0.0.0/8", "fd00::/8");
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
        assertThat(settings.allowedRegisteredNetworks()).as("registered URLs are judged in full").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --sse-keepalive=0s          | --sse-keepalive
            --default-idle-timeout=0s   | --default-idle-timeout
            --default-idle-timeout=90s5 | --default-idle-timeout
            --port=70000                | --port
            --default-namespace=        | --default-namespace
            --allow-registered-networks=127.0.0.1 | --allow-registered-networks
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

    @Test
    void canvasTokenComesFromTheEnvironmentOrAFileAndOnlyItsHashIsKept(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        assertThat(parse().settings().canvasTokenSha256()).as("open by default").isNull();

        ProxyCommand fromEnv = parse();
        fromEnv.environment = name -> name.equals("TETHER_CANVAS_TOKEN") ? "canvas-secret" : null;
        assertThat(fromEnv.settings().canvasTokenSha256()).isEqualTo(dev.tether.reconciler.TokenSecrets.sha256("canvas-secret"));
        assertThat(fromEnv.settings().toString()).doesNotContain("canvas-secret");

        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("canvas"), "canvas-secret\n");
        assertThat(parse("--canvas-token-file", file.toString()).settings().canvasTokenSha256())
                .as("the file's trailing newline is not part of the token")
                .isEqualTo(dev.tether.reconciler.TokenSecrets.sha256("canvas-secret"));

        ProxyCommand both = parse("--canvas-token-file", file.toString());
        both.environment = fromEnv.environment;
        org.assertj.core.api.Assertions.assertThatThrownBy(both::settings).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("--canvas-token-file").hasMessageContaining("not both");
        java.nio.file.Path blank = java.nio.file.Files.writeString(tmp.resolve("blank"), " \n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("--canvas-token-file", blank.toString()).settings())
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("--canvas-token-file");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("--canvas-token-file", tmp.resolve("missing").toString()).settings())
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("cannot read");
    }
}
