package dev.tether.proxy.forwarding;

import dev.tether.proxy.forwarding.Upstream.AgentAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Keep-alive connections to agents, one pool per event loop: a caller's dispatch takes a connection of its own loop,
 * so no lock is taken and no thread is crossed. Idle connections are reused most-recent first and closed before the
 * agent would close them ({@link #maxIdle}, or the agent's own {@code Keep-Alive: timeout} minus a second): a
 * connection the agent already closed would otherwise turn a dispatch into a 502 that never reached it.
 */
public final class AgentPool {
    /** Idle connections kept per loop and agent (nginx's {@code keepalive 256}). */
    static final int MAX_IDLE_PER_ADDRESS = 256;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Map<EventExecutor, LoopPool> loops = new IdentityHashMap<>();
    private final long maxIdleNanos;

    /**
     * @param vetted resolves the addresses runtimes registered, refusing loopback, link-local, metadata and the
     *               cluster API; {@code open} resolves the rest (spec.url and the operator are the admin's choice)
     */
    public AgentPool(EventLoopGroup group, Class<? extends SocketChannel> channelType, ByteBufAllocator allocator,
            SslContext tls, AddressResolverGroup<InetSocketAddress> open, AddressResolverGroup<InetSocketAddress> vetted,
            Duration maxIdle) {
        this.maxIdleNanos = maxIdle.toNanos();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            loops.put(loop, new LoopPool(bootstrap(loop, channelType, allocator, tls, open), bootstrap(loop, channelType, allocator, tls, vetted)));
        }
    }

    private static Bootstrap bootstrap(EventLoop loop, Class<? extends SocketChannel> channelType, ByteBufAllocator allocator,
            SslContext tls, AddressResolverGroup<InetSocketAddress> resolver) {
        return new Bootstrap().group(loop).channel(channelType).resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        AgentAddress address = ch.attr(AgentPoolKeys.ADDRESS).get();
                        if (address != null && address.tls()) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), address.host(), address.port()));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec()).addLast("agent", new AgentConnection());
                    }
                });
    }

    /**
     * A connection to {@code address} on {@code loop} (the caller's): a pooled one still open, else a new one. The
     * callback runs on the loop with the connection, or with the reason none could be made.
     */
    void acquire(EventLoop loop, AgentAddress address, BiConsumer<AgentConnection, Throwable> then) {
        LoopPool pool = loops.get(loop);
        AgentConnection pooled = pool.take(address, System.nanoTime(), maxIdleNanos);
        if (pooled != null) {
            then.accept(pooled, null);
            return;
        }
        Bootstrap b = address.checked() ? pool.vetted : pool.open;
        ChannelFuture connect = b.clone().attr(AgentPoolKeys.ADDRESS, address)
                .connect(InetSocketAddress.createUnresolved(address.host(), address.port()));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                then.accept(connect.channel().pipeline().get(AgentConnection.class), null);
            } else {
                then.accept(null, f.cause());
            }
        });
    }

    /** Back to its loop's pool after a complete exchange the agent did not ask to close; otherwise closed. */
    void release(AgentConnection connection, boolean reusable) {
        Channel ch = connection.channel();
        connection.detach();
        if (!reusable || !ch.isActive()) {
            ch.close();
            return;
        }
        ch.config().setAutoRead(true);
        connection.idleSinceNanos = System.nanoTime();
        loops.get(ch.eventLoop()).put(ch.attr(AgentPoolKeys.ADDRESS).get(), connection);
    }

    /** Closes this loop's connections idle past their time. Runs on {@code loop}. */
    void evictIdle(EventLoop loop, long now) {
        loops.get(loop).evict(now, maxIdleNanos);
    }

    /** Idle connections on {@code loop}, for the metrics. */
    int idleConnections(EventLoop loop) {
        return loops.get(loop).size();
    }

    /** Closes every idle connection of this loop (shutdown). Runs on {@code loop}. */
    void closeIdle(EventLoop loop) {
        loops.get(loop).evict(Long.MAX_VALUE, 0);
    }

    /** One loop's pools; touched only by that loop. */
    private static final class LoopPool {
        final Bootstrap open;
        final Bootstrap vetted;
        private final Map<AgentAddress, ArrayDeque<AgentConnection>> idle = new HashMap<>();

        LoopPool(Bootstrap open, Bootstrap vetted) {
            this.open = open;
            this.vetted = vetted;
        }

        AgentConnection take(AgentAddress address, long now, long maxIdleNanos) {
            ArrayDeque<AgentConnection> deque = idle.get(address);
            if (deque == null) {
                return null;
            }
            AgentConnection c;
            while ((c = deque.pollFirst()) != null) {
                // The kernel is asked only after a pause: an agent closes idle connections after seconds, not microseconds.
                boolean rested = now - c.idleSinceNanos > 1_000_000_000L;
                if (c.channel().isActive() && !expired(c, now, maxIdleNanos) && !(rested && PeerClosed.is(c.channel()))) {
                    return c;
                }
                c.channel().close();
            }
            return null;
        }

        void put(AgentAddress address, AgentConnection c) {
            ArrayDeque<AgentConnection> deque = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
            if (deque.size() >= MAX_IDLE_PER_ADDRESS) {
                c.channel().close();
                return;
            }
            deque.offerFirst(c);
        }

        void evict(long now, long maxIdleNanos) {
            for (Iterator<ArrayDeque<AgentConnection>> it = idle.values().iterator(); it.hasNext(); ) {
                ArrayDeque<AgentConnection> deque = it.next();
                deque.removeIf(c -> {
                    boolean gone = !c.channel().isActive() || expired(c, now, maxIdleNanos);
                    if (gone) {
                        c.channel().close();
                    }
                    return gone;
                });
                if (deque.isEmpty()) {
                    it.remove();
                }
            }
        }

        int size() {
            return idle.values().stream().mapToInt(ArrayDeque::size).sum();
        }

        private static boolean expired(AgentConnection c, long now, long maxIdleNanos) {
            long limit = c.agentKeepAliveNanos > 0 ? Math.min(maxIdleNanos, c.agentKeepAliveNanos - 1_000_000_000L) : maxIdleNanos;
            return now - c.idleSinceNanos >= limit;
        }
    }

    /** Whether the agent has already closed its side of an idle connection, as far as the kernel knows. */
    static final class PeerClosed {
        private static final int TCP_CLOSE_WAIT = 8;

        private PeerClosed() {
        }

        static boolean is(Channel ch) {
            return ch instanceof EpollSocketChannel epoll && epoll.tcpInfo().state() == TCP_CLOSE_WAIT;
        }
    }
}
