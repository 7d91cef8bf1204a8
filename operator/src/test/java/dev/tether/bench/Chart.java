package dev.tether.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the Helm chart runs a role's JVM ({@code helm/tether/values.yaml}): its {@code javaOptions} and, as
 * {@code -XX:MaxRAM}, the container's memory limit, which is what the JVM sizes its heap from in a pod. A benchmark
 * that starts a role in a child JVM with these runs it as the chart does, whatever this machine's memory.
 */
final class Chart {
    private Chart() {
    }

    /**
     * The chart's options for {@code role} ({@code proxy} or {@code operator}) with {@code -XX:MaxRAM} set to
     * {@code memory} (e.g. {@code 1g}), or to the role's {@code resources.limits.memory} when {@code memory} is null.
     */
    static List<String> jvmOptions(String role, String memory) {
        List<String> section = section(role);
        String options = value(section, "javaOptions");
        List<String> jvm = new ArrayList<>(List.of(options.replace("\"", "").trim().split("\\s+")));
        String limit = memory != null ? memory : limitMemory(section);
        jvm.add("-XX:MaxRAM=" + limit);
        return jvm;
    }

    /** The lines of the top-level key {@code role} of values.yaml, up to the next top-level key. */
    private static List<String> section(String role) {
        Path values = Path.of(System.getProperty("tether.repoRoot"), "helm", "tether", "values.yaml");
        List<String> lines;
        try {
            lines = Files.readAllLines(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> section = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (!line.isEmpty() && Character.isLetter(line.charAt(0))) {
                in = line.equals(role + ":");
            } else if (in) {
                section.add(line);
            }
        }
        if (section.isEmpty()) {
            throw new AssertionError("no " + role + ": section in " + values);
        }
        return section;
    }

    /** The first {@code key: value} at the section's first level of nesting. */
    private static String value(List<String> section, String key) {
        return section.stream().filter(l -> l.startsWith("  " + key + ":")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .orElseThrow(() -> new AssertionError("no " + key + " in the chart's values"));
    }

    /** {@code resources.limits.memory} as a JVM size: {@code 512Mi} → {@code 512m}. */
    private static String limitMemory(List<String> section) {
        boolean limits = false;
        for (String line : section) {
            if (line.trim().equals("limits:")) {
                limits = true;
            } else if (limits && line.trim().startsWith("memory:")) {
                return line.substring(line.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT).replace("i", "");
            }
        }
        throw new AssertionError("no resources.limits.memory in the chart's values");
    }
}
