package dev.tether.proxy.forwarding;

import dev.tether.api.DispatchSource;

/**
 * How long a workspace may be silent during a dispatch, which rule said so, and whether an admin bound
 * clamped the runtime's declaration.
 */
public record IdleWindow(int seconds, DispatchSource source, boolean clamped) {
    public long nanos() {
        return seconds * 1_000_000_000L;
    }

    /**
     * The window an in-flight dispatch holds once the workspace's policy changes to {@code latest}. The admin's
     * word applies live either way: a spec override set or lifted, or a bound clamping the runtime. The runtime's
     * own changes apply live only when they lengthen the window: a runtime re-declaring (or ceasing to declare)
     * mid-task must never cut off the dispatch it is working on.
     */
    public IdleWindow changedTo(IdleWindow latest) {
        if (latest.source == DispatchSource.Spec || source == DispatchSource.Spec || latest.clamped) {
            return latest;
        }
        return latest.seconds >= seconds ? latest : this;
    }
}
