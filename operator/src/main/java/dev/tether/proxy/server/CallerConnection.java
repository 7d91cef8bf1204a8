package dev.tether.proxy.server;

import dev.tether.http.HttpError;
import dev.tether.proxy.forwarding.CallerEvents;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.wire.Answers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One caller's connection: reads a request head, checks it, lets the {@link Router} choose its handler, gathers the
 * body as it arrives (bounded per request and across connections), and hands the whole request over. One request at
 * a time: a pipelined one waits, unread, until the answer before it is complete, so answers keep their order.
 *
 * <p>A request must arrive whole within the read timeout of its first byte; a connection idle between requests is
 * closed after the keep-alive timeout; neither clock runs while the proxy works on an answer (a silent agent is the
 * exchange's to judge, not the caller's).
 */
public final class CallerConnection extends ChannelInboundHandlerAdapter implements Exchange.Caller {
    private enum State { IDLE, READING, DISCARDING, HANDLING, LINGERING, CLOSED }

    /** How long a refused caller may go on sending before its connection closes (so it reads the refusal, not a reset). */
    private static final long LINGER_MILLIS = 2_000;

    private final ProxyServer server;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private HttpRequest head;
    private boolean keepAlive;
    private RequestHandler handler;
    private HttpError refusal;
    private CompositeByteBuf body;
    private long bodyBytes;
    private long budgetTaken;
    private long requestStartedNanos;
    private int idleTicks;
    private CallerEvents exchange;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    CallerConnection(ProxyServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public boolean keepAlive() {
        return keepAlive && !server.draining();
    }

    /** What answers the current request (an exchange, or a call waiting for a slot): told when the caller leaves or can take more bytes. */
    public void attach(CallerEvents e) {
        exchange = e;
    }

    /** Answers the current request with {@code response} (a whole one) and moves on. */
    public void answer(FullHttpResponse response) {
        boolean keep = keepAlive();
        Answers.send(ctx, response, keep);
        answered(!keep);
    }

    @Override
    public void answered(boolean close) {
        exchange = null;
        head = null;
        handler = null;
        if (state == State.CLOSED) {
            return;
        }
        if (close) {
            state = State.CLOSED;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.IDLE;
        idleTicks = 0;
        while (state == State.IDLE && !waiting.isEmpty()) {
            channelRead(ctx, waiting.poll());
        }
        if (waiting.isEmpty() && state != State.CLOSED) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED || state == State.LINGERING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == State.HANDLING) {
            waiting.add(msg); // a pipelined request: it waits, and nothing more is read until the answer before it is out
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (msg instanceof HttpRequest request) {
            requestHead(request);
        }
        if (msg instanceof HttpContent content) {
            requestContent(content);
        }
    }

    private void requestHead(HttpRequest request) {
        requestStartedNanos = System.nanoTime();
        idleTicks = 0;
        HttpError refused = RequestChecks.refusal(request);
        if (refused != null) {
            refuseAndClose(refused); // the framing itself is in doubt: this connection carries nothing more
            return;
        }
        head = request;
        keepAlive = HttpUtil.isKeepAlive(request);
        if (server.draining()) {
            refuseAndClose(new HttpError(503, "the proxy is shutting down; retry on another replica", java.util.Map.of(),
                    java.util.Map.of("Retry-After", "1")));
            return;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        try {
            handler = server.router().route(request);
        } catch (HttpError e) {
            refusal = e;
        }
        boolean needsBody = refusal == null && handler.wantsBody();
        if (declared > server.maxRequestBytes() && needsBody) {
            refuseAndClose(tooLarge()); // refused before reading, and nothing allocated from the declared size
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            if (refusal != null) {
                refuseAndClose(refusal); // the caller waits for this before sending a body it need not send
                return;
            }
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), ctx.voidPromise());
        }
        state = needsBody ? State.READING : State.DISCARDING;
        bodyBytes = 0;
    }

    private void requestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            refuseAndClose(cause instanceof io.netty.handler.codec.http.TooLongHttpLineException
                    ? new HttpError(400, "a chunk line is longer than the proxy accepts")
                    : RequestChecks.decoderFailure(cause));
            return;
        }
        if (state != State.READING && state != State.DISCARDING) {
            content.release(); // the rest of a request already answered
            return;
        }
        ByteBuf bytes = content.content();
        int n = bytes.readableBytes();
        bodyBytes += n;
        if (bodyBytes > server.maxRequestBytes()) {
            content.release();
            refuseAndClose(state == State.READING ? tooLarge() : refusalOrTooLarge());
            return;
        }
        if (state == State.READING && n > 0) {
            if (!server.bodyBudget().take(n)) {
                content.release();
                refuseAndClose(new HttpError(503, "the proxy holds too many request bodies arriving at once; retry shortly",
                        java.util.Map.of(), java.util.Map.of("Retry-After", "1")));
                return;
            }
            budgetTaken += n;
            if (body == null) {
                body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            }
            body.addComponent(true, bytes.retain());
        }
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (last) {
            requestComplete();
        } else if (System.nanoTime() - requestStartedNanos > server.requestReadTimeout().toNanos()) {
            refuseAndClose(readTimeout());
        }
    }

    private void requestComplete() {
        State was = state;
        state = State.HANDLING;
        ByteBuf whole = body == null ? Unpooled.EMPTY_BUFFER : body;
        body = null;
        server.bodyBudget().give(budgetTaken); // handed on: from here it is written to the agent, not waited for
        budgetTaken = 0;
        if (refusal != null) {
            HttpError e = refusal;
            refusal = null;
            answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            return;
        }
        handler.handle(this, head, was == State.READING ? whole : Unpooled.EMPTY_BUFFER);
    }

    private HttpError refusalOrTooLarge() {
        return refusal != null ? refusal : tooLarge();
    }

    private HttpError tooLarge() {
        return new HttpError(413, "request body exceeds the limit of " + server.maxRequestBytes() + " bytes");
    }

    private static HttpError readTimeout() {
        return new HttpError(408, "the request did not arrive in time; send it whole, without pauses");
    }

    /**
     * Answers a request that cannot be read on, and closes. Whatever else the caller sends is read and dropped for a
     * moment first: closing with unread bytes would reset the connection, and the caller might never see the answer.
     */
    private void refuseAndClose(HttpError e) {
        dropBody();
        state = State.LINGERING;
        ctx.channel().config().setAutoRead(true);
        FullHttpResponse response = Answers.error(e.status(), e.getMessage(), e.details(), e.headers());
        response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONNECTION, io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(written -> {
            if (ctx.channel() instanceof io.netty.channel.socket.DuplexChannel duplex && written.isSuccess()) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }

    private void dropBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        server.bodyBudget().give(budgetTaken);
        budgetTaken = 0;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        CallerEvents e = exchange;
        if (e != null && ctx.channel().isWritable()) {
            e.callerWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            // The caller sent all it will: a body still arriving never will; an answer in progress is still sent.
            switch (state) {
                case READING, DISCARDING -> refuseAndClose(new HttpError(400,
                        "the request body is incomplete: the connection closed before its end (Content-Length or chunking)"));
                case HANDLING -> {
                    keepAlive = false;
                    if (exchange != null) {
                        exchange.callerInputClosed();
                    }
                }
                default -> {
                    state = State.CLOSED;
                    ctx.close();
                }
            }
            return;
        }
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        switch (state) {
            case READING, DISCARDING -> refuseAndClose(readTimeout());
            case IDLE -> {
                if (++idleTicks * server.requestReadTimeout().toNanos() >= server.keepAliveTimeout().toNanos() || server.draining()) {
                    state = State.CLOSED;
                    ctx.close();
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        dropBody();
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
        CallerEvents e = exchange;
        exchange = null;
        if (e != null) {
            e.callerGone();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** True when no request is being read or answered (a drain closes such connections at once). */
    boolean idle() {
        return state == State.IDLE && waiting.isEmpty();
    }
}
