package dev.tether.proxy.server;

import dev.tether.http.BodyBudget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's HTTP/1.1 server on the shared event loops: a strict decoder (8 KiB request line, 8 KiB of headers,
 * validated names and values), a {@link CallerConnection} per connection, a bound on connections, and a drain that
 * stops accepting and closes idle connections while answers in progress finish.
 */
public final class ProxyServer implements AutoCloseable {
    /** How the server is bounded. */
    public record Limits(int maxRequestBytes, long maxBufferedBodyBytes, int maxConnections, Duration requestReadTimeout,
            Duration keepAliveTimeout) {
    }

    private final Router router;
    private final Limits limits;
    private final BodyBudget budget;
    private final ChannelGroup connections = new DefaultChannelGroup("tether-callers", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final Channel listener;
    private volatile boolean draining;

    private ProxyServer(EventLoopGroup group, Class<? extends ServerChannel> channelType, ByteBufAllocator allocator, String host,
            int port, Router router, Limits limits) {
        this.router = router;
        this.limits = limits;
        this.budget = new BodyBudget(limits.maxBufferedBodyBytes());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                // A caller that closes its sending side still gets its answer (and a cut-off body is told so).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > limits.maxConnections()) {
                            open.decrementAndGet();
                            ch.close(); // over the bound: refused before a byte is read
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(limits.requestReadTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS))
                                .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(8192).setMaxHeaderSize(8192).setMaxChunkSize(64 * 1024)))
                                .addLast("caller", new CallerConnection(ProxyServer.this));
                    }
                });
        try {
            listener = bootstrap.bind(host, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + host + ":" + port, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the proxy on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public static ProxyServer start(EventLoopGroup group, Class<? extends ServerChannel> channelType, ByteBufAllocator allocator,
            String host, int port, Router router, Limits limits) {
        return new ProxyServer(group, channelType, allocator, host, port, router, limits);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    Router router() {
        return router;
    }

    BodyBudget bodyBudget() {
        return budget;
    }

    int maxRequestBytes() {
        return limits.maxRequestBytes();
    }

    Duration requestReadTimeout() {
        return limits.requestReadTimeout();
    }

    Duration keepAliveTimeout() {
        return limits.keepAliveTimeout();
    }

    boolean draining() {
        return draining;
    }

    /**
     * Stops accepting and closes connections with no request in progress; connections with one finish it and close
     * (every answer from now on says {@code Connection: close}).
     */
    public void stopAccepting() {
        draining = true;
        listener.close().syncUninterruptibly();
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                CallerConnection c = ch.pipeline().get(CallerConnection.class);
                if (c != null && c.idle()) {
                    ch.close();
                }
            });
        }
    }

    /** Caller connections open right now. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        draining = true;
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
