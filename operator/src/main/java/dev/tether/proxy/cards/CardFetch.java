package dev.tether.proxy.cards;

import dev.tether.api.WorkspaceId;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Forwarding;
import dev.tether.proxy.forwarding.ProxyMetrics;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.server.CallerConnection;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One fetch of an agent's public card, through the same connections, limits, metrics and drain as dispatches: the
 * card's locations are tried in order while they answer 404, all within one deadline. The last answer (or the
 * failure) goes to the receiver.
 */
public final class CardFetch {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Forwarding forwarding;
    private final ProxyMetrics metrics;
    private final CallerConnection connection;
    private final WorkspaceId workspace;
    private final List<Upstream> locations;
    private final HttpHeaders headers;
    private final Exchange.Receiver receiver;
    private final long startedNanos = System.nanoTime();

    private CardFetch(Forwarding forwarding, ProxyMetrics metrics, CallerConnection connection, WorkspaceId workspace,
            List<Upstream> locations, HttpHeaders headers, Exchange.Receiver receiver) {
        this.forwarding = forwarding;
        this.metrics = metrics;
        this.connection = connection;
        this.workspace = workspace;
        this.locations = locations;
        this.headers = headers;
        this.receiver = receiver;
    }

    /** Fetches the card named {@code file} of the agent at {@code agent}, sending {@code headers} (edited for the agent). */
    static void start(Forwarding forwarding, ProxyMetrics metrics, CallerConnection connection, WorkspaceId workspace, Upstream agent,
            String file, HttpHeaders headers, Exchange.Receiver receiver) {
        new CardFetch(forwarding, metrics, connection, workspace, locations(agent, file), headers, receiver).attempt(0);
    }

    private void attempt(int index) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, locations.get(index).pathAndQuery());
        request.headers().set(headers);
        Duration left = TIMEOUT.minusNanos(System.nanoTime() - startedNanos);
        connection.attach(Exchange.to(forwarding, connection, locations.get(index), request)
                .workspace(workspace)
                .deadline(left.isNegative() ? Duration.ofMillis(1) : left, "the agent card of workspace " + workspace)
                .buffered(new Exchange.Receiver() {
                    @Override
                    public void answered(int status, HttpHeaders answerHeaders, ByteBuf card) {
                        if (status == 404 && index < locations.size() - 1) {
                            card.release();
                            attempt(index + 1);
                        } else {
                            receiver.answered(status, answerHeaders, card);
                        }
                    }

                    @Override
                    public void failed(int status, String message) {
                        receiver.failed(status, message);
                    }

                    @Override
                    public void abandoned() {
                        receiver.abandoned();
                    }
                })
                .ended((e, outcome) -> metrics.cardFetch(outcome))
                .start());
    }

    /** Where an agent may keep its card: its origin's well-known path first, then below its URL's path, then the other file name. */
    public static List<Upstream> locations(Upstream agent, String file) {
        String other = file.equals(WorkspaceRoute.CARD) ? WorkspaceRoute.LEGACY_CARD : WorkspaceRoute.CARD;
        Set<String> paths = new LinkedHashSet<>();
        paths.add("/.well-known/" + file);
        String path = agent.path();
        if (!path.equals("/")) {
            paths.add((path.endsWith("/") ? path : path + "/") + ".well-known/" + file);
        }
        paths.add("/.well-known/" + other);
        List<Upstream> out = new ArrayList<>();
        paths.forEach(p -> out.add(agent.withPath(p)));
        return out;
    }
}
