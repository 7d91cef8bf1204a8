package dev.tether.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.http.JsonResponses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import okio.Buffer;
import okio.BufferedSource;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an agent's Server-Sent Events to the caller event by event, flushing each. Every byte from
 * the agent resets the idle clock (the source is tracked); the watchdog sends keepalives while the
 * agent is silent. Once the stream is open a limit can no longer be a status code, so the stream ends
 * with a final event carrying a JSON-RPC error that names the limit.
 */
final class SseRelay {
    private static final Logger LOG = LoggerFactory.getLogger(A2aForwarder.DISPATCH_LOG);
    /** JSON-RPC "server error" range; A2A uses it for implementation-defined failures. */
    static final int SERVER_ERROR = -32000;

    private final DispatchWatchdog watchdog;
    private final int maxEventBytes;

    SseRelay(DispatchWatchdog watchdog, int maxEventBytes) {
        this.watchdog = watchdog;
        this.maxEventBytes = maxEventBytes;
    }

    /** An agent event larger than the proxy buffers. */
    private static final class EventTooLargeException extends IOException {
        EventTooLargeException(int limit) {
            super("the agent sent a stream event larger than the proxy's limit of " + limit + " bytes");
        }
    }

    Outcome relay(Dispatch d, okhttp3.Response upstream, BufferedSource events, JsonNode requestId, Response response, Callback callback) {
        response.setStatus(upstream.code());
        BufferedReply.copyHeaders(upstream.headers(), response);
        CallerStream caller = new CallerStream(response, () -> d.stop(StopReason.CLIENT_GONE));
        try {
            caller.write(new byte[0], false); // the caller sees the headers now, before the first event
            d.attach(caller);
            watchdog.streamOpened(d);
            copyEvents(events, caller);
            caller.write(new byte[0], true);
            callback.succeeded();
            return Outcome.OK;
        } catch (CallerStream.CallerGoneException e) {
            d.stop(StopReason.CLIENT_GONE);
            return callerGone(d, callback, e);
        } catch (EventTooLargeException e) {
            LOG.warn("stream from workspace {} ended: {}", d.workspace(), e.getMessage());
            return endWithError(caller, callback, requestId, e.getMessage(), Map.of("workspace", d.workspace().toString()),
                    Outcome.UPSTREAM_ERROR, d);
        } catch (IOException e) {
            StopReason reason = A2aForwarder.reasonFor(d);
            if (reason == null) {
                String message = "the agent of workspace " + d.workspace() + " broke off its stream: " + e;
                LOG.warn(message);
                return endWithError(caller, callback, requestId, message, Map.of("workspace", d.workspace().toString()),
                        Outcome.UPSTREAM_ERROR, d);
            }
            if (reason.kind() == StopReason.Kind.CLIENT_GONE) {
                return callerGone(d, callback, e);
            }
            LOG.info("stream ended: {}", reason.describe(d.workspace()));
            return endWithError(caller, callback, requestId, reason.describe(d.workspace()), reason.details(d),
                    reason.outcome(), d);
        }
    }

    /** Copies complete events (up to a blank line); a partial one at the end of the stream is passed on as is. */
    private void copyEvents(BufferedSource events, CallerStream caller) throws IOException {
        Buffer event = new Buffer();
        Buffer pending = events.getBuffer();
        while (true) {
            long newline = events.indexOf((byte) '\n', 0, maxEventBytes);
            if (newline == -1) {
                if (pending.size() >= maxEventBytes) {
                    throw new EventTooLargeException(maxEventBytes);
                }
                event.writeAll(events); // end of stream
                if (event.size() > 0) {
                    caller.write(event.readByteArray(), false);
                }
                return;
            }
            boolean blankLine = newline == 0 || (newline == 1 && pending.getByte(0) == '\r');
            event.write(pending, newline + 1);
            if (blankLine) {
                caller.write(event.readByteArray(), false);
            } else if (event.size() > maxEventBytes) {
                throw new EventTooLargeException(maxEventBytes);
            }
        }
    }

    private static Outcome endWithError(CallerStream caller, Callback callback, JsonNode requestId, String message,
            Map<String, ?> data, Outcome outcome, Dispatch d) {
        try {
            caller.write(errorEvent(requestId, message, data), true);
            callback.succeeded();
            return outcome;
        } catch (CallerStream.CallerGoneException gone) {
            return callerGone(d, callback, gone);
        }
    }

    /** {@code data: {"jsonrpc":"2.0","id":...,"error":{"code":-32000,"message":...,"data":{...}}}} and a blank line. */
    static byte[] errorEvent(JsonNode requestId, String message, Map<String, ?> data) {
        ObjectNode rpc = JsonResponses.MAPPER.createObjectNode();
        rpc.put("jsonrpc", "2.0");
        rpc.set("id", requestId);
        ObjectNode error = rpc.putObject("error");
        error.put("code", SERVER_ERROR);
        error.put("message", message);
        error.set("data", JsonResponses.MAPPER.valueToTree(data));
        return ("data: " + rpc + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Outcome callerGone(Dispatch d, Callback callback, IOException cause) {
        LOG.debug("caller of workspace {} went away mid-stream: {}", d.workspace(), cause.toString());
        callback.failed(cause);
        return Outcome.CLIENT_GONE;
    }
}
