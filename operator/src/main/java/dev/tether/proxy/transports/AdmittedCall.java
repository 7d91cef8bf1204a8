package dev.tether.proxy.transports;

import dev.tether.api.DispatchSource;
import dev.tether.api.HibernationSpec;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.activity.ActivityReporter;
import dev.tether.proxy.admission.Capacity;
import dev.tether.proxy.admission.Slot;
import dev.tether.proxy.admission.TaskLimits;
import dev.tether.proxy.admission.Waiter;
import dev.tether.proxy.admission.WakeHolds;
import dev.tether.proxy.admission.WorkspaceLookup;
import dev.tether.proxy.forwarding.CallerEvents;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.IdleWindow;
import dev.tether.proxy.forwarding.Outcome;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.ProxyRoutes;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.Answers;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A call to a workspace's agent on either transport: it passes {@link Admission} first, or is refused before
 * anything reaches the agent (counted under the workspace only when that exists, so invented names grow no series).
 * While it is in flight, held or queued, this replica's activity Lease keeps a provisioned workspace awake; a call to
 * one that is hibernated is held until it wakes ({@link WakeHolds}).
 * A call that starts a task needs one of the workspace's slots ({@link Capacity}): when another proxy replica holds
 * them it is relayed there as it came; here it goes at once, waits in the queue (the idle window and ceiling start only
 * when it goes), or is refused as busy.
 */
abstract class AdmittedCall implements RequestHandler {
    protected final Admission.Context context;
    protected final WorkspaceId workspace;
    /** What a relay waits beyond the peer's queue and twice the agent's idle window before it gives up on the peer. */
    private static final int RELAY_MARGIN_SECONDS = 60;
    private Slot slot = Slot.NONE;
    private boolean streamOpened;
    private ActivityReporter.Call call = ActivityReporter.Call.NONE;
    private ScheduledFuture<?> keepalives;

    AdmittedCall(Admission.Context context, WorkspaceId workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    @Override
    public final boolean wantsBody() {
        return true;
    }

    @Override
    public final void handle(CallerConnection connection, HttpRequest head, ByteBuf body) {
        long started = System.nanoTime();
        boolean relayed = head.headers().contains(HeaderPolicy.RELAY) && context.peers().isPeer(connection.context().channel().remoteAddress());
        head.headers().remove(HeaderPolicy.RELAY);
        boolean task = startsTask(head, body);
        if (task && !relayed) {
            Optional<String> owner = context.peers().elsewhere(workspace);
            Optional<Workspace> ws = context.directory().find(workspace);
            if (owner.isPresent() && ws.isPresent()) {
                relay(connection, head, body, owner.get(), ws.get());
                return;
            }
        }
        Workspace ws;
        try {
            ws = Admission.authorize(context, head.headers(), workspace);
        } catch (HttpError e) {
            refuse(connection, body, e, started);
            return;
        }
        call = context.activity().begin(workspace, ws);
        if (context.wakes().mustHold(workspace, ws)) {
            Sleeping sleeping = new Sleeping(connection, head, body, task, started);
            connection.attach(sleeping);
            sleeping.hold = context.wakes().hold(workspace, ws, connection.context().executor(), sleeping);
            if (streams()) {
                openStream(connection);
            }
            return;
        }
        admitted(connection, head, body, ws, task, started);
    }

    /** An authorised call to a workspace that is awake: admitted, then forwarded, or placed for one of its task slots. */
    private void admitted(CallerConnection connection, HttpRequest head, ByteBuf body, Workspace ws, boolean task, long started) {
        Admission.Admitted admitted;
        try {
            admitted = Admission.admit(context, head.headers(), workspace, ws);
        } catch (HttpError e) {
            refuse(connection, body, e, started);
            return;
        }
        if (!task) {
            forward(connection, head, body, admitted, started);
            return;
        }
        Waiting waiting = new Waiting(connection, head, body, admitted, started);
        waiting.place = context.capacity().enter(workspace, admitted.workspace(), waiting);
        if (!waiting.settled) {
            connection.attach(waiting);
            if (streams()) {
                openStream(connection);
            }
        }
    }

    /** Whether the call asks for an event stream (known once {@link #startsTask} has read it). */
    protected abstract boolean streams();

    /** The JSON-RPC request id as JSON text, for an error event the proxy writes; null on HTTP+JSON or when unknown. */
    protected abstract String rpcId();

    /** Whether the call is HTTP+JSON (its stream errors are {@code error} events). */
    protected abstract boolean rest();

    /** Whether the caller's event stream was opened while the call waited: the exchange continues it. */
    protected final boolean streamOpened() {
        return streamOpened;
    }

    /**
     * Sends a task call as it came to the replica that holds the workspace's slots, which admits it (the caller's
     * credentials travel on) and holds, queues or forwards it. This replica only relays: its idle window covers the longest
     * the peer may hold the call while the workspace wakes, then in its queue, and then see the agent silent, so a peer that vanished without closing is let go.
     */
    private void relay(CallerConnection connection, HttpRequest head, ByteBuf body, String owner, Workspace ws) {
        TaskLimits limits = TaskLimits.of(ws);
        IdleWindow agentWindow = EnforcedPolicy.of(ws, context.defaultIdleSeconds(), context.defaultMaxDurationSeconds()).idle();
        int seconds = (int) Math.min(Integer.MAX_VALUE, HibernationSpec.wakeTimeoutSeconds(ws.getSpec().getHibernation())
                + limits.maxWait().toSeconds() + 2L * agentWindow.seconds() + RELAY_MARGIN_SECONDS);
        HeaderPolicy.towardPeer(head.headers());
        Upstream peer = Upstream.parse("http://" + owner + ProxyRoutes.originForm(head.uri()), false).orElseThrow();
        connection.attach(Exchange.to(context.forwarding(), connection, peer, head)
                .body(body)
                .workspace(workspace)
                .idleWindow(new IdleWindow(seconds, DispatchSource.Default, false))
                .relayTo(owner)
                .start());
    }

    /** Whether this call starts a task (and so needs a slot); may remember what it read of the body for {@link #forward}. */
    protected abstract boolean startsTask(HttpRequest head, ByteBuf body);

    /** Sends the admitted call on; {@code body} is the method's to forward or release. */
    protected abstract void forward(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted,
            long startedNanos);

    /** Told once when the exchange ends: counts the dispatch and frees the call's slot. */
    protected final Exchange.Ended ended(long startedNanos) {
        return (e, outcome) -> {
            context.metrics().dispatch(workspace, outcome, startedNanos);
            slot.release();
            endCall();
        };
    }

    /**
     * Answers a refusal before the agent was reached, releasing the body and any slot held; a caller whose event stream
     * is open already gets it as the stream's last event.
     */
    protected final void refuse(CallerConnection connection, ByteBuf body, HttpError e, long startedNanos) {
        body.release();
        slot.release();
        endCall();
        boolean known = context.directory().find(workspace).isPresent();
        context.metrics().dispatch(known ? workspace : null, Outcome.REJECTED, startedNanos);
        if (!streamOpened) {
            connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            return;
        }
        ChannelHandlerContext ctx = connection.context();
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(Exchange.errorEvent(rest(), rpcId(), e.getMessage(), e.details()),
                StandardCharsets.UTF_8)), ctx.voidPromise());
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
        connection.answered(!connection.keepAlive());
    }

    /** The call gave up before reaching the agent (its caller left): the body and any slot go. */
    protected final void abandoned(ByteBuf body) {
        body.release();
        slot.release();
        endCall();
    }

    private void endCall() {
        call.end();
        call = ActivityReporter.Call.NONE;
    }

    /**
     * A stream call that must wait (for a wake, or a slot): the caller gets its stream's head now and a {@code : keepalive}
     * comment at the proxy's SSE keepalive interval, so neither it nor anything between gives up while the call waits.
     */
    private void openStream(CallerConnection connection) {
        ChannelHandlerContext ctx = connection.context();
        if (!streamOpened) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream").set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            if (!connection.keepAlive()) {
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ctx.writeAndFlush(head, ctx.voidPromise());
            streamOpened = true;
        }
        long every = context.forwarding().sseKeepaliveNanos();
        keepalives = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(new DefaultHttpContent(
                Unpooled.copiedBuffer(": keepalive\n\n", StandardCharsets.US_ASCII)), ctx.voidPromise()), every, every, TimeUnit.NANOSECONDS);
    }

    private void stopKeepalives() {
        if (keepalives != null) {
            keepalives.cancel(false);
            keepalives = null;
        }
    }

    /**
     * A call waiting before it reaches the agent, for a wake or a task slot: told once how the wait ends, on the caller's
     * loop, where its caller leaving is heard too.
     */
    private abstract class Pending implements CallerEvents {
        final CallerConnection connection;
        final HttpRequest head;
        final ByteBuf body;
        final long started;
        boolean settled;
        boolean gone;

        Pending(CallerConnection connection, HttpRequest head, ByteBuf body, long started) {
            this.connection = connection;
            this.head = head;
            this.body = body;
            this.started = started;
        }

        /** The wait is over; false when the caller had left meanwhile (nothing more to do). */
        final boolean settle() {
            settled = true;
            stopKeepalives();
            return !gone;
        }

        public final void refused(HttpError refusal) {
            if (settle()) {
                refuse(connection, body, refusal, started);
            }
        }

        /** Gives up the call's place in what it waits for. */
        abstract void leave();

        @Override
        public final void callerWritable() {
        }

        /**
         * A caller that closes its side while waiting has, in practice, left (nothing tells it from a half-close without
         * writing): the connection closes, and its place goes with it.
         */
        @Override
        public final void callerInputClosed() {
            if (!settled) {
                connection.context().close();
            }
        }

        @Override
        public final void callerGone() {
            if (settled || gone) {
                return;
            }
            gone = true;
            stopKeepalives();
            leave();
            body.release();
            endCall();
            context.metrics().dispatch(workspace, Outcome.CLIENT_GONE, started);
        }
    }

    /** A call held while its workspace wakes. */
    private final class Sleeping extends Pending implements WakeHolds.Sleeper {
        private final boolean task;
        private WakeHolds.Hold hold;

        Sleeping(CallerConnection connection, HttpRequest head, ByteBuf body, boolean task, long started) {
            super(connection, head, body, started);
            this.task = task;
        }

        @Override
        public void awake() {
            if (!settle()) {
                return;
            }
            Workspace ws;
            try {
                ws = WorkspaceLookup.find(context.directory(), workspace);
            } catch (HttpError e) {
                refuse(connection, body, e, started);
                return;
            }
            admitted(connection, head, body, ws, task, started);
        }

        @Override
        void leave() {
            hold.leave();
        }
    }

    /** A call asking for a slot. */
    private final class Waiting extends Pending implements Waiter {
        private final Admission.Admitted admitted;
        private Capacity.Place place = Capacity.Place.NONE;

        Waiting(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted, long started) {
            super(connection, head, body, started);
            this.admitted = admitted;
        }

        @Override
        public EventExecutor loop() {
            return connection.context().executor();
        }

        @Override
        public void granted(Slot granted) {
            if (!settle()) {
                granted.release();
                return;
            }
            slot = granted;
            forward(connection, head, body, admitted, started);
        }

        @Override
        void leave() {
            place.leave();
        }
    }
}
