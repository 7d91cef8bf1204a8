package dev.tether.proxy.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.http.JsonResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/**
 * The proxy's own answers: the error contract {@code {"error": "...", ...}} with a specific message, JSON-RPC error
 * objects, and plain texts. Written whole, with a Content-Length, keeping or closing the connection as asked.
 */
public final class Answers {
    private Answers() {
    }

    /** An error body: the message plus fields that help the caller act on it. */
    public static FullHttpResponse error(int status, String message, Map<String, ?> details, Map<String, String> headers) {
        ObjectNode body = JsonResponses.MAPPER.createObjectNode();
        body.put("error", message);
        details.forEach((k, v) -> body.set(k, JsonResponses.MAPPER.valueToTree(v)));
        FullHttpResponse r = json(status, body);
        headers.forEach((name, value) -> r.headers().set(name, value));
        return r;
    }

    public static FullHttpResponse error(int status, String message) {
        return error(status, message, Map.of(), Map.of());
    }

    public static FullHttpResponse json(int status, JsonNode body) {
        try {
            return bytes(status, "application/json", JsonResponses.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    public static FullHttpResponse bytes(int status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    /** Sends {@code response}; closes the connection after it unless {@code keepAlive}. */
    public static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
    }
}
