package dev.tether.proxy.cards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.http.JsonResponses;
import dev.tether.proxy.wire.Answers;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.util.Locale;

/** Answers built from an agent's buffered answer: its status and end-to-end headers, with a body the proxy may have rewritten. */
final class CardAnswers {
    static final String A2A_VERSION = "A2A-Version";

    private CardAnswers() {
    }

    /** The body as JSON, or null when it is not JSON. */
    static JsonNode parse(ByteBuf body) {
        try {
            return JsonResponses.MAPPER.readTree(ByteBufUtil.getBytes(body));
        } catch (IOException e) {
            return null;
        }
    }

    /** The agent's answer as it sent it. */
    static FullHttpResponse asSent(int status, HttpHeaders agentHeaders, ByteBuf body) {
        String type = agentHeaders.get(HttpHeaderNames.CONTENT_TYPE);
        return withAgentHeaders(Answers.bytes(status, type == null ? "application/octet-stream" : type, ByteBufUtil.getBytes(body)),
                agentHeaders);
    }

    /** {@code json} in place of the agent's body. */
    static FullHttpResponse rewritten(int status, HttpHeaders agentHeaders, JsonNode json) {
        return withAgentHeaders(Answers.json(status, json), agentHeaders);
    }

    /**
     * The agent's end-to-end headers on the proxy's response, and {@code Vary: A2A-Version}: a 1.0 agent picks the
     * card's shape from the caller's version, so a cache must not serve one caller's card to another.
     */
    private static FullHttpResponse withAgentHeaders(FullHttpResponse response, HttpHeaders agentHeaders) {
        HeaderPolicy.towardCaller(agentHeaders);
        agentHeaders.remove(HttpHeaderNames.CONTENT_TYPE);
        agentHeaders.remove(HttpHeaderNames.CONTENT_LENGTH);
        response.headers().add(agentHeaders);
        boolean varies = response.headers().getAll(HttpHeaderNames.VARY).stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains(A2A_VERSION.toLowerCase(Locale.ROOT)) || v.contains("*"));
        if (!varies) {
            response.headers().add(HttpHeaderNames.VARY, A2A_VERSION);
        }
        return response;
    }
}
