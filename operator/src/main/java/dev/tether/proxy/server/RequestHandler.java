package dev.tether.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;

/** What the proxy does with one request, chosen from its head by a {@link Router}. */
public interface RequestHandler {
    /** Whether the body is needed (gathered, bounded) or only read past. */
    boolean wantsBody();

    /**
     * The whole request is here: answer it through {@code connection}, now or later (an exchange with an agent).
     * {@code body} is the handler's to release (empty when {@link #wantsBody()} is false).
     */
    void handle(CallerConnection connection, HttpRequest head, ByteBuf body);
}
