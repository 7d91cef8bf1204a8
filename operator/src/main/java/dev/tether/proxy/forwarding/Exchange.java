package dev.tether.proxy.forwarding;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.WorkspaceId;
import dev.tether.http.JsonResponses;
import dev.tether.proxy.wire.Answers;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request forwarded to an agent (or the operator) and its answer relayed back, owned by the caller's event loop
 * from the first write to the last byte: no lock, no other thread. Bytes pass through by reference: the caller's
 * body goes to the agent's encoder, the agent's chunks to the caller's encoder, head objects with their headers
 * edited in place.
 *
 * <p>Limits: the {@link InFlight} sweep asks {@link #check} every tick whether the idle window (agent silence with no
 * healthy heartbeat) or the ceiling has passed, and sends SSE keepalives; a limit ends the exchange with the status
 * that says which, or, once a stream has started, with a final error event in the transport's shape. A slow caller pauses reading
 * from the agent (write-buffer water marks), so it costs at most a few buffers, never the whole answer.
 */
public final class Exchange implements CallerEvents {
    static final String DISPATCH_LOG = "dev.tether.proxy.dispatch";
    private static final Logger LOG = LoggerFactory.getLogger(DISPATCH_LOG);
    /** JSON-RPC "server error" range; A2A uses it for implementation-defined failures. */
    static final int SERVER_ERROR = -32000;
    private static final ByteBuf KEEPALIVE = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(14).writeBytes(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    /** What the exchange needs from the caller's connection. */
    public interface Caller {
        ChannelHandlerContext context();

        /** Whether the caller's connection stays open after this answer. */
        boolean keepAlive();

        /** The answer is complete, or was ended; the connection reads its next request, or closes when {@code close}. */
        void answered(boolean close);
    }

    /** Where a buffered answer goes (an agent card): told once, on the loop. */
    public interface Receiver {
        /** The agent answered; {@code body} is the receiver's to release. */
        void answered(int status, HttpHeaders headers, ByteBuf body);

        /** No answer: the status and message the caller should get. */
        void failed(int status, String message);

        /** The caller left before the answer: nothing is to be answered, only what was held released. */
        default void abandoned() {
        }
    }

    /** Told once how the exchange ended, for metrics and logs. */
    public interface Ended {
        void ended(Exchange exchange, Outcome outcome);
    }

    private final Forwarding forwarding;
    private final Caller caller;
    private final ChannelHandlerContext ctx;
    private final Upstream upstream;
    private final HttpRequest head;
    private ByteBuf body;
    private final WorkspaceId workspace;
    private final Ceiling ceiling;
    private final long deadlineNanos;
    private final String deadlineWhat;
    private final String rpcId;
    private final boolean rest;
    private final Receiver receiver;
    private final Ended ended;
    private final long startedNanos = System.nanoTime();
    private IdleWindow window;
    private long lastProgressNanos = startedNanos;
    private long lastCallerWriteNanos = startedNanos;

    private AgentConnection agent;
    private boolean done;
    private boolean retried;
    private boolean responseStarted;
    private boolean sse;
    private boolean agentKeepAlive;
    private boolean flushPending;
    private int status;
    private long responseBytes;
    private long eventBytes;
    private SseFraming framing;
    private HttpHeaders bufferedHeaders;
    private CompositeByteBuf buffered;
    private StopReason stopped;

    // Intrusive links of the loop's in-flight chain of this workspace (InFlight).
    Exchange prev;
    Exchange next;
    boolean linked;

    private Exchange(Builder b) {
        forwarding = b.forwarding;
        caller = b.caller;
        ctx = b.caller.context();
        upstream = b.upstream;
        head = b.head;
        body = b.body == null ? Unpooled.EMPTY_BUFFER : b.body;
        workspace = b.workspace;
        window = b.window;
        ceiling = b.ceiling;
        deadlineNanos = b.deadline == null ? 0 : b.deadline.toNanos();
        deadlineWhat = b.deadlineWhat;
        rpcId = b.rpcId;
        rest = b.rest;
        receiver = b.receiver;
        ended = b.ended;
    }

    /** Starts an exchange from the caller's loop. */
    public static Builder to(Forwarding forwarding, Caller caller, Upstream upstream, HttpRequest head) {
        return new Builder(forwarding, caller, upstream, head);
    }

    public WorkspaceId workspace() {
        return workspace;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** Why the proxy ended it, or null when the agent or the caller did. */
    public StopReason stopReason() {
        return stopped;
    }

    public Upstream upstream() {
        return upstream;
    }

    EventLoop loop() {
        return ctx.channel().eventLoop();
    }

    private void start() {
        forwarding.inFlight().add(this);
        forwarding.pool().acquire(loop(), upstream.address(), this::connected);
    }

    private void connected(AgentConnection connection, Throwable failure) {
        if (done) {
            if (connection != null) {
                forwarding.pool().release(connection, true);
            }
            return;
        }
        if (failure instanceof VettedResolverGroup.RefusedAddressException refused) {
            LOG.atWarn().addKeyValue("workspace", workspace).log("not calling {}: it {}", upstream.redacted(), refused.getMessage());
            fail(502, "the URL the runtime of workspace " + workspace + " registered " + refused.getMessage()
                    + "; set spec.url to route it elsewhere", Outcome.UPSTREAM_ERROR);
            return;
        }
        if (failure != null) {
            LOG.atWarn().addKeyValue("workspace", workspace).log("cannot reach {}: {}", upstream.redacted(), failure.toString());
            fail(502, unreachable(), Outcome.UPSTREAM_ERROR);
            return;
        }
        send(connection);
    }

    private String unreachable() {
        return workspace == null ? "Tether's registry (the operator) cannot be reached; retry shortly"
                : "cannot reach the agent of workspace " + workspace;
    }

    private void send(AgentConnection connection) {
        agent = connection;
        connection.attach(this);
        var ch = connection.channel();
        ch.config().setAutoRead(true);
        head.setProtocolVersion(HttpVersion.HTTP_1_1).setUri(upstream.pathAndQuery());
        head.headers().set(HttpHeaderNames.HOST, upstream.hostHeader());
        head.headers().add(HttpHeaderNames.VIA, HeaderPolicy.VIA);
        if (body.isReadable() || HttpUtil.isContentLengthSet(head) || head.method().equals(io.netty.handler.codec.http.HttpMethod.POST)) {
            head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        }
        ch.write(head, ch.voidPromise());
        ChannelFuture written = ch.writeAndFlush(body.isReadable() ? new DefaultLastHttpContent(body.retainedDuplicate())
                : LastHttpContent.EMPTY_LAST_CONTENT);
        written.addListener(f -> {
            if (f.isSuccess()) {
                releaseBody(); // on its way: from here on the agent may have it, and it is never sent twice
            } else if (!done && !retried && responseBytes == 0 && !responseStarted) {
                // Nothing reached the agent (the pooled connection was gone before the request): one fresh connection.
                retried = true;
                connection.detach();
                ch.close();
                agent = null;
                forwarding.pool().acquire(loop(), upstream.address(), this::connected);
            }
        });
    }

    /** A message from the agent, on the loop. */
    void fromAgent(Object msg) {
        lastProgressNanos = System.nanoTime();
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg); // 1xx interim answers stay here; the final one follows
                return;
            }
            responseHead(r);
        }
        if (msg instanceof HttpContent c) {
            if (done) {
                c.release();
                return;
            }
            content(c);
        }
    }

    private void responseHead(HttpResponse r) {
        status = r.status().code();
        agentKeepAlive = HttpUtil.isKeepAlive(r);
        agent.agentKeepAliveNanos = keepAliveTimeoutNanos(r.headers().get("Keep-Alive"));
        long declared = HttpUtil.getContentLength(r, -1L);
        if (declared > forwarding.maxResponseBytes()) {
            tooLarge();
            return;
        }
        if (receiver != null) {
            bufferedHeaders = r.headers();
            buffered = ctx.alloc().compositeBuffer(64);
            return;
        }
        String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        sse = type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
        HeaderPolicy.towardCaller(r.headers());
        if (declared >= 0) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, declared);
        } else if (status >= 200 && status != 204 && status != 304) {
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (!caller.keepAlive()) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        responseStarted = true;
        if (sse) {
            framing = new SseFraming();
            ctx.writeAndFlush(r, ctx.voidPromise()); // the caller sees the stream open now, before the first event
            lastCallerWriteNanos = System.nanoTime();
        } else {
            ctx.write(r, ctx.voidPromise());
            flushPending = true;
        }
    }

    private void content(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        int n = c.content().readableBytes();
        responseBytes += n;
        if (receiver != null) {
            buffered.addComponent(true, c.content().retain());
            c.release();
            if (responseBytes > forwarding.maxResponseBytes()) {
                tooLarge();
            } else if (last) {
                finishBuffered();
            }
            return;
        }
        if (sse) {
            framing.follow(c.content());
            eventBytes = framing.betweenEvents() ? 0 : eventBytes + n;
            if (eventBytes > forwarding.maxResponseBytes()) {
                c.release();
                endStream(Outcome.UPSTREAM_ERROR, "the agent of workspace " + workspace + " sent a stream event larger than the proxy's "
                        + "limit of " + forwarding.maxResponseBytes() + " bytes", Map.of("workspace", String.valueOf(workspace)));
                return;
            }
        } else if (responseBytes > forwarding.maxResponseBytes()) {
            c.release();
            tooLarge();
            return;
        }
        if (!last) {
            if (sse) {
                ctx.writeAndFlush(c, ctx.voidPromise());
                lastCallerWriteNanos = System.nanoTime();
            } else {
                ctx.write(c, ctx.voidPromise());
                flushPending = true;
            }
            if (!ctx.channel().isWritable()) {
                agent.channel().config().setAutoRead(false); // slow caller: the agent waits until it drains
            }
            return;
        }
        done = true;
        flushPending = false;
        ctx.writeAndFlush(c, ctx.voidPromise());
        lastCallerWriteNanos = System.nanoTime();
        forwarding.pool().release(agent, agentKeepAlive);
        agent = null;
        end(status >= 400 ? Outcome.UPSTREAM_ERROR : Outcome.OK);
        caller.answered(!caller.keepAlive());
    }

    private void finishBuffered() {
        done = true;
        forwarding.pool().release(agent, agentKeepAlive);
        agent = null;
        end(status >= 400 ? Outcome.UPSTREAM_ERROR : Outcome.OK);
        CompositeByteBuf b = buffered;
        buffered = null;
        receiver.answered(status, bufferedHeaders, b);
    }

    void agentReadComplete() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    /** The caller's connection can take more: read from the agent again. */
    @Override
    public void callerWritable() {
        if (!done && agent != null) {
            agent.channel().config().setAutoRead(true);
        }
    }

    /** The agent's connection closed before the answer was complete. */
    void agentClosed() {
        if (done) {
            return;
        }
        agent = null;
        if (!responseStarted && responseBytes == 0 && (receiver == null || buffered == null)) {
            LOG.atWarn().addKeyValue("workspace", workspace).log("{} closed the connection before answering", upstream.redacted());
            fail(502, workspace == null ? "Tether's registry closed the connection before answering"
                    : "the agent of workspace " + workspace + " closed the connection before answering", Outcome.UPSTREAM_ERROR);
        } else if (sse) {
            endStream(Outcome.UPSTREAM_ERROR, "the agent of workspace " + workspace + " broke off its stream",
                    Map.of("workspace", String.valueOf(workspace)));
        } else if (receiver != null) {
            fail(502, "the agent of workspace " + workspace + " broke off its answer", Outcome.UPSTREAM_ERROR);
        } else {
            cutOff(Outcome.UPSTREAM_ERROR); // headers are out: the caller sees an incomplete answer
        }
    }

    /** The caller's connection closed: the agent call is abandoned. */
    @Override
    public void callerGone() {
        if (done) {
            return;
        }
        stopped = StopReason.CLIENT_GONE;
        done = true;
        closeAgent();
        releaseBody();
        releaseBuffered();
        end(Outcome.CLIENT_GONE);
        if (receiver != null) {
            receiver.abandoned();
        }
    }

    /** The agent or a healthy heartbeat showed progress: the idle clock starts again. */
    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    /** The workspace's idle window changed; an in-flight dispatch takes it as {@link IdleWindow#changedTo} allows. */
    void window(IdleWindow latest) {
        if (window != null) {
            window = window.changedTo(latest);
        }
    }

    /** Fires what is due: the ceiling, the idle window, an SSE keepalive. Runs on the loop, from the sweep. */
    void check(long now) {
        if (done) {
            return;
        }
        if (ceiling.exists() && now - startedNanos >= ceiling.seconds() * 1_000_000_000L) {
            stop(StopReason.ceiling(ceiling));
            return;
        }
        if (deadlineNanos > 0 && now - startedNanos >= deadlineNanos) {
            stop(StopReason.deadline(deadlineNanos / 1_000_000_000L, deadlineWhat));
            return;
        }
        if (window != null && now - lastProgressNanos >= window.nanos()) {
            stop(StopReason.idle(window));
            return;
        }
        if (sse && now - lastCallerWriteNanos >= forwarding.sseKeepaliveNanos() && framing.betweenEvents()) {
            lastCallerWriteNanos = now;
            ctx.writeAndFlush(new DefaultHttpContent(KEEPALIVE.duplicate()), ctx.voidPromise()); // the proxy's bytes, not progress
        }
    }

    /** Ends the exchange for {@code reason}: the agent call is cancelled and the caller told which limit fired. */
    public void stop(StopReason reason) {
        if (done) {
            return;
        }
        stopped = reason;
        String message = reason.describe(workspace);
        LOG.atInfo().addKeyValue("workspace", workspace).log(message);
        if (receiver != null) {
            fail(reason.status(), message, reason.outcome());
        } else if (!responseStarted) {
            done = true;
            closeAgent();
            releaseBody();
            end(reason.outcome());
            Answers.send(ctx, Answers.error(reason.status(), message, reason.details(workspace, startedNanos), reason.headers()),
                    caller.keepAlive());
            caller.answered(!caller.keepAlive());
        } else if (sse) {
            endStream(reason.outcome(), message, reason.details(workspace, startedNanos));
        } else {
            cutOff(reason.outcome());
        }
    }

    /** No answer from the agent: the status and message, to the caller or the receiver. */
    private void fail(int status, String message, Outcome outcome) {
        done = true;
        closeAgent();
        releaseBody();
        releaseBuffered();
        end(outcome);
        if (receiver != null) {
            receiver.failed(status, message);
            return;
        }
        Answers.send(ctx, Answers.error(status, message, workspace == null ? Map.of() : Map.of("workspace", workspace.toString()), Map.of()),
                caller.keepAlive());
        caller.answered(!caller.keepAlive());
    }

    private void tooLarge() {
        String message = (workspace == null ? "the registry's" : "the agent of workspace " + workspace + "'s") + " answer exceeds the "
                + "proxy's limit of " + forwarding.maxResponseBytes() + " bytes; nothing was forwarded (no truncation)";
        LOG.atWarn().addKeyValue("workspace", workspace).log(message);
        if (!responseStarted) {
            fail(502, message, Outcome.UPSTREAM_ERROR);
        } else {
            cutOff(Outcome.UPSTREAM_ERROR);
        }
    }

    /**
     * Ends a started stream with a final event carrying the error in the transport's shape, between events: a JSON-RPC
     * error response, or for HTTP+JSON an {@code error} event with {@code {"code", "message", "data"}}.
     */
    private void endStream(Outcome outcome, String message, Map<String, ?> data) {
        done = true;
        closeAgent();
        end(outcome);
        ObjectNode error = JsonResponses.MAPPER.createObjectNode().put("code", SERVER_ERROR).put("message", message);
        error.set("data", JsonResponses.MAPPER.valueToTree(data));
        String event;
        if (rest) {
            event = "event: error\ndata: " + error + "\n\n";
        } else {
            ObjectNode rpc = JsonResponses.MAPPER.createObjectNode().put("jsonrpc", "2.0");
            rpc.set("id", rpcIdNode());
            rpc.set("error", error);
            event = "data: " + rpc + "\n\n";
        }
        event = (framing.betweenEvents() ? "" : "\n\n") + event;
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)), ctx.voidPromise());
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
        caller.answered(!caller.keepAlive());
    }

    private com.fasterxml.jackson.databind.JsonNode rpcIdNode() {
        try {
            return rpcId == null ? JsonResponses.MAPPER.nullNode() : JsonResponses.MAPPER.readTree(rpcId);
        } catch (java.io.IOException e) {
            return JsonResponses.MAPPER.nullNode();
        }
    }

    /** Headers are out and the answer cannot be finished: the caller's connection is closed mid-answer. */
    private void cutOff(Outcome outcome) {
        done = true;
        closeAgent();
        end(outcome);
        ctx.close();
        caller.answered(true);
    }

    private void closeAgent() {
        AgentConnection a = agent;
        agent = null;
        if (a != null) {
            a.detach();
            a.channel().close(); // never pooled: its answer may still be on its way
        }
    }

    private void releaseBody() {
        ByteBuf b = body;
        body = Unpooled.EMPTY_BUFFER;
        if (b != Unpooled.EMPTY_BUFFER && b.refCnt() > 0) {
            b.release();
        }
    }

    private void releaseBuffered() {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
    }

    private void end(Outcome outcome) {
        forwarding.inFlight().remove(this);
        ended.ended(this, outcome);
    }

    /** {@code Keep-Alive: timeout=N} in nanoseconds, or -1. */
    static long keepAliveTimeoutNanos(String header) {
        if (header == null) {
            return -1;
        }
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
                try {
                    return Long.parseLong(p.substring(8).trim()) * 1_000_000_000L;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** What an exchange is made of; {@link #start()} sends it. */
    public static final class Builder {
        private final Forwarding forwarding;
        private final Caller caller;
        private final Upstream upstream;
        private final HttpRequest head;
        private ByteBuf body;
        private WorkspaceId workspace;
        private IdleWindow window;
        private Ceiling ceiling = Ceiling.NONE;
        private java.time.Duration deadline;
        private String deadlineWhat;
        private String rpcId;
        private boolean rest;
        private Receiver receiver;
        private Ended ended = (e, o) -> { };

        private Builder(Forwarding forwarding, Caller caller, Upstream upstream, HttpRequest head) {
            this.forwarding = forwarding;
            this.caller = caller;
            this.upstream = upstream;
            this.head = head;
        }

        /** The request body, owned by the exchange from now on. */
        public Builder body(ByteBuf value) {
            body = value;
            return this;
        }

        /** A dispatch to {@code id}: heartbeats and policy changes of that workspace reach it. */
        public Builder workspace(WorkspaceId id) {
            workspace = id;
            return this;
        }

        /** Ends the exchange when the agent is silent this long (null: never). */
        public Builder idleWindow(IdleWindow value) {
            window = value;
            return this;
        }

        public Builder ceiling(Ceiling value) {
            ceiling = value;
            return this;
        }

        /** Ends the exchange (504) when {@code what} has not answered within {@code value}: the proxy's own calls. */
        public Builder deadline(java.time.Duration value, String what) {
            deadline = value;
            deadlineWhat = what;
            return this;
        }

        /** The JSON-RPC request id as JSON text, for a final stream event the proxy may write. */
        public Builder rpcId(String value) {
            rpcId = value;
            return this;
        }

        /** An HTTP+JSON call: a final stream event the proxy writes is a REST {@code error} event. */
        public Builder rest() {
            rest = true;
            return this;
        }

        /** Buffers the answer (up to the response limit) for {@code value} instead of relaying it. */
        public Builder buffered(Receiver value) {
            receiver = value;
            return this;
        }

        public Builder ended(Ended value) {
            ended = value;
            return this;
        }

        public Exchange start() {
            Exchange e = new Exchange(this);
            e.start();
            return e;
        }
    }
}
