package dev.tether.proxy.forwarding;

/**
 * What every exchange of one proxy shares: the agent connection pools, the in-flight registry, and the limits that
 * are the proxy's own (the answer cap, the SSE keepalive interval).
 */
public record Forwarding(AgentPool pool, InFlight inFlight, int maxResponseBytes, long sseKeepaliveNanos) {
}
