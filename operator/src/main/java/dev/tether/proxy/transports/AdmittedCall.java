package dev.tether.proxy.transports;

import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.admission.Capacity;
import dev.tether.proxy.admission.Slot;
import dev.tether.proxy.admission.Waiter;
import dev.tether.proxy.forwarding.CallerEvents;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Outcome;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.Answers;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;

/**
 * A call to a workspace's agent on either transport: it passes {@link Admission} first, or is refused before
 * anything reaches the agent (counted under the workspace only when that exists, so invented names grow no series).
 * A call that starts a task then needs one of the workspace's slots ({@link Capacity}): it goes at once, waits in the
 * queue (the idle window and ceiling start only when it goes), or is refused as busy.
 */
abstract class AdmittedCall implements RequestHandler {
    protected final Admission.Context context;
    protected final WorkspaceId workspace;
    private Slot slot = Slot.NONE;

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
        Admission.Admitted admitted;
        try {
            admitted = Admission.admit(context, head.headers(), workspace);
        } catch (HttpError e) {
            refuse(connection, body, e, started);
            return;
        }
        if (!startsTask(head, body)) {
            forward(connection, head, body, admitted, started);
            return;
        }
        Waiting waiting = new Waiting(connection, head, body, admitted, started);
        waiting.place = context.capacity().enter(workspace, admitted.workspace(), waiting);
        if (!waiting.settled) {
            connection.attach(waiting);
        }
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
        };
    }

    /** Answers a refusal before the agent was reached, releasing the body and any slot held. */
    protected final void refuse(CallerConnection connection, ByteBuf body, HttpError e, long startedNanos) {
        body.release();
        slot.release();
        boolean known = context.directory().find(workspace).isPresent();
        context.metrics().dispatch(known ? workspace : null, Outcome.REJECTED, startedNanos);
        connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
    }

    /** The call gave up before reaching the agent (its caller left): the body and any slot go. */
    protected final void abandoned(ByteBuf body) {
        body.release();
        slot.release();
    }

    /** A call asking for a slot; everything it is told, and its caller leaving, happens on the caller's loop. */
    private final class Waiting implements Waiter, CallerEvents {
        private final CallerConnection connection;
        private final HttpRequest head;
        private final ByteBuf body;
        private final Admission.Admitted admitted;
        private final long started;
        private Capacity.Place place = Capacity.Place.NONE;
        private boolean settled;
        private boolean gone;

        Waiting(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted, long started) {
            this.connection = connection;
            this.head = head;
            this.body = body;
            this.admitted = admitted;
            this.started = started;
        }

        @Override
        public EventExecutor loop() {
            return connection.context().executor();
        }

        @Override
        public void granted(Slot granted) {
            settled = true;
            if (gone) {
                granted.release();
                return;
            }
            slot = granted;
            forward(connection, head, body, admitted, started);
        }

        @Override
        public void refused(HttpError refusal) {
            settled = true;
            if (!gone) {
                refuse(connection, body, refusal, started);
            }
        }

        @Override
        public void callerWritable() {
        }

        /**
         * A caller that closes its side while waiting has, in practice, left (nothing tells it from a half-close without
         * writing): the connection closes, and its place goes with it.
         */
        @Override
        public void callerInputClosed() {
            if (!settled) {
                connection.context().close();
            }
        }

        @Override
        public void callerGone() {
            if (settled || gone) {
                return;
            }
            gone = true;
            place.leave();
            body.release();
            context.metrics().dispatch(workspace, Outcome.CLIENT_GONE, started);
        }
    }
}
