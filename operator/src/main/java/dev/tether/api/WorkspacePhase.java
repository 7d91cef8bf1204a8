package dev.tether.api;

/** The one-word summary shown by {@code kubectl get ws}. */
public enum WorkspacePhase {
    Pending, Online, Degraded, Offline, Hibernated, Waking
}
