package dev.tether.proxy.forwarding;

import io.netty.util.AttributeKey;

/** Channel attributes of agent connections. */
final class AgentPoolKeys {
    /** The origin a connection was made to, its pool key. */
    static final AttributeKey<Upstream.AgentAddress> ADDRESS = AttributeKey.valueOf("tether.agentAddress");

    private AgentPoolKeys() {
    }
}
