package dev.tether.dev;

import dev.tether.Tether;
import picocli.CommandLine;

/** The dev jar's entry point: Tether's command line plus the {@code dev} role, which only this jar carries. */
public final class TetherDev {
    private TetherDev() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Tether's command line with {@code dev} added, shared by main and the tests. */
    public static CommandLine commandLine() {
        return Tether.commandLine().addSubcommand(new DevCommand());
    }
}
