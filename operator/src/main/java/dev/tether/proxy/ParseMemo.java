package dev.tether.proxy;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A parser's answers remembered by input text, for values every dispatch would otherwise parse again
 * (agent URLs, Content-Types): on the proxy's hot path a parse costs as much as the watchdog's whole
 * share of a fast dispatch. Bounded: past {@code maxEntries} distinct inputs everything is forgotten at
 * once, so inputs a caller controls can cost time but never memory.
 */
final class ParseMemo<T> {
    private final Function<String, T> parser;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Optional<T>> parsed = new ConcurrentHashMap<>();

    /** @param parser returns null for input it cannot parse */
    ParseMemo(Function<String, T> parser, int maxEntries) {
        this.parser = parser;
        this.maxEntries = maxEntries;
    }

    Optional<T> parse(String text) {
        Optional<T> known = parsed.get(text);
        if (known != null) {
            return known;
        }
        if (parsed.size() >= maxEntries) {
            parsed.clear();
        }
        Optional<T> value = Optional.ofNullable(parser.apply(text));
        parsed.put(text, value);
        return value;
    }
}
