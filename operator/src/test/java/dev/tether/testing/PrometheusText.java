package dev.tether.testing;

import java.util.Arrays;

/** Reads a value out of a {@code /metrics} answer. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /** The value of the series of {@code name} whose labels include every one of {@code labels}; 0 when none. */
    public static double value(String prometheusText, String name, String... labels) {
        return prometheusText.lines().filter(l -> l.startsWith(name + "{") && Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
