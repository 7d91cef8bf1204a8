package dev.tether.proxy.registry;

import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Forwarding;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;

/**
 * {@code /registry/*} on the proxy, relayed to the operator: runtimes have one platform URL for heartbeats,
 * registration, discovery and dispatch. The operator authenticates and answers; this only carries the request (its
 * credentials included) and the answer, and says where the caller reached the platform ({@code X-Forwarded-Proto/-Host})
 * so discovery answers name the proxy.
 */
public final class RegistryRelay implements RequestHandler {
    /** How long the operator has to answer; a heartbeat it cannot record answers 503 well within it. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Forwarding forwarding;
    private final Upstream operator;

    /** @param operator the operator's base URL, as parsed ({@code --registry-url}) */
    public RegistryRelay(Forwarding forwarding, Upstream operator) {
        this.forwarding = forwarding;
        this.operator = operator;
    }

    @Override
    public boolean wantsBody() {
        return true;
    }

    @Override
    public void handle(CallerConnection connection, HttpRequest head, ByteBuf body) {
        String host = head.headers().get(HttpHeaderNames.HOST);
        HeaderPolicy.towardAgent(head.headers());
        head.headers().set("X-Forwarded-Proto", "http");
        if (host != null) {
            head.headers().set("X-Forwarded-Host", host);
        }
        String base = operator.path().equals("/") ? "" : operator.path();
        connection.attach(Exchange.to(forwarding, connection, operator.withPath(base + head.uri()), head)
                .body(body)
                .deadline(TIMEOUT, "Tether's registry (the operator)")
                .start());
    }
}
