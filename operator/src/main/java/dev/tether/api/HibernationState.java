package dev.tether.api;

/** Where a provisioned workspace's runtime is in its sleep cycle. */
public enum HibernationState {
    /** Running as spec.template says. */
    Awake,
    /** Scaled to zero; the next dispatch wakes it. */
    Hibernated,
    /** Scaled back up for a dispatch; calls are held until a replica is ready and has heartbeated since the wake. */
    Waking
}
