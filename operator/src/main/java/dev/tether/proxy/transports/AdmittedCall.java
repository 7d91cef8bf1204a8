package dev.tether.proxy.transports;

import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.forwarding.Outcome;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.Answers;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A call to a workspace's agent on either transport: it passes {@link Admission} first, or is refused before
 * anything reaches the agent (counted under the workspace only when that exists, so invented names grow no series).
 */
abstract class AdmittedCall implements RequestHandler {
    protected final Admission.Context context;
    protected final WorkspaceId workspace;

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
        forward(connection, head, body, admitted, started);
    }

    /** Sends the admitted call on; {@code body} is the method's to forward or release. */
    protected abstract void forward(CallerConnection connection, HttpRequest head, ByteBuf body, Admission.Admitted admitted,
            long startedNanos);

    /** Answers a refusal before the agent was reached, releasing the body. */
    protected final void refuse(CallerConnection connection, ByteBuf body, HttpError e, long startedNanos) {
        body.release();
        boolean known = context.directory().find(workspace).isPresent();
        context.metrics().dispatch(known ? workspace : null, Outcome.REJECTED, startedNanos);
        connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
    }
}
