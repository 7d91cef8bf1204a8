package dev.tether.proxy;

import dev.tether.api.DispatchSource;

/** How long a workspace may be silent during a dispatch, and which rule said so. */
record IdleWindow(int seconds, DispatchSource source) {
    long nanos() {
        return seconds * 1_000_000_000L;
    }
}
