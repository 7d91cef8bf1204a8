package dev.tether.proxy.forwarding;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One connection to an agent, on the event loop of the caller it serves. Between exchanges it waits in its loop's
 * {@link AgentPool}; during one it hands every message to that {@link Exchange}.
 */
final class AgentConnection extends ChannelInboundHandlerAdapter {
    private Channel channel;
    private Exchange exchange;
    /** When it went back to the pool, for idle eviction. */
    long idleSinceNanos;
    /** How long the agent keeps an idle connection open ({@code Keep-Alive: timeout=N}), when it said so; else -1. */
    long agentKeepAliveNanos = -1;
    /** Exchanges it has carried: 0 on a fresh connection. */
    int uses;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    Channel channel() {
        return channel;
    }

    void attach(Exchange e) {
        exchange = e;
        uses++;
    }

    void detach() {
        exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = exchange;
        if (e == null) {
            ReferenceCountUtil.release(msg); // bytes from an agent nobody is waiting for: the connection is not reused
            ctx.close();
            return;
        }
        e.fromAgent(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.agentReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.agentClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reported to the exchange as the connection closing
    }
}
