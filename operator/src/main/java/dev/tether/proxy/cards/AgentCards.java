package dev.tether.proxy.cards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.a2a.AgentCardRewriter;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.http.JsonResponses;
import dev.tether.proxy.admission.WorkspaceLookup;
import dev.tether.proxy.callers.CallerAuthorization;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Forwarding;
import dev.tether.proxy.forwarding.ProxyMetrics;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.WorkspaceDirectory;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.server.CallerConnection;
import dev.tether.proxy.server.RequestHandler;
import dev.tether.proxy.wire.Answers;
import dev.tether.proxy.wire.HeaderPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /workspaces/{ns}/{name}/.well-known/agent-card.json} (and {@code agent.json}, and the base URL): the
 * agent's card, fetched from the agent through the same connections, limits and drain as dispatches, and served with
 * its endpoint URLs pointing at the proxy. The caller's {@code A2A-Version} goes to the agent (a 1.0 agent picks the
 * card's shape from it) and the answer keeps {@code Vary: A2A-Version}.
 */
public final class AgentCards implements RequestHandler {
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
    static final String A2A_VERSION = "A2A-Version";

    /** What every card request needs; one per proxy. */
    public record Context(WorkspaceDirectory directory, CallerAuthorization callers, Forwarding forwarding, ProxyMetrics metrics,
            boolean trustForwardedHeaders, int defaultIdleSeconds, int defaultMaxDurationSeconds) {
    }

    private final Context context;
    private final WorkspaceRoute route;
    private CallerConnection connection;
    private HttpHeaders callerHeaders;
    private List<Upstream> locations;
    private String endpoint;
    private long startedNanos;

    public AgentCards(Context context, WorkspaceRoute route) {
        this.context = context;
        this.route = route;
    }

    @Override
    public boolean wantsBody() {
        return false;
    }

    @Override
    public void handle(CallerConnection connection, HttpRequest head, ByteBuf body) {
        body.release();
        this.connection = connection;
        WorkspaceId key = route.workspace();
        try {
            context.callers().authorize(head.headers(), key);
            EnforcedPolicy policy = EnforcedPolicy.of(WorkspaceLookup.find(context.directory(), key), context.defaultIdleSeconds(),
                    context.defaultMaxDurationSeconds());
            locations = locations(WorkspaceLookup.upstream(policy), route.cardFile());
        } catch (HttpError e) {
            connection.answer(Answers.error(e.status(), e.getMessage(), e.details(), e.headers()));
            return;
        }
        endpoint = endpoint(head.headers(), route, context.trustForwardedHeaders());
        callerHeaders = head.headers();
        HeaderPolicy.towardAgent(callerHeaders);
        startedNanos = System.nanoTime();
        fetch(0);
    }

    private void fetch(int attempt) {
        Upstream location = locations.get(attempt);
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, location.pathAndQuery());
        request.headers().set(callerHeaders);
        Duration left = FETCH_TIMEOUT.minusNanos(System.nanoTime() - startedNanos);
        connection.attach(Exchange.to(context.forwarding(), connection, location, request)
                .workspace(route.workspace())
                .deadline(left.isNegative() ? Duration.ofMillis(1) : left, "the agent card of workspace " + route.workspace())
                .buffered(new Exchange.Receiver() {
                    @Override
                    public void answered(int status, HttpHeaders headers, ByteBuf card) {
                        if (status == 404 && attempt < locations.size() - 1) {
                            card.release();
                            fetch(attempt + 1);
                            return;
                        }
                        try {
                            connection.answer(served(status, headers, card));
                        } finally {
                            card.release();
                        }
                    }

                    @Override
                    public void failed(int status, String message) {
                        connection.answer(Answers.error(status, "cannot fetch the agent card of workspace " + route.workspace() + ": "
                                + message, Map.of("workspace", route.workspace().toString()), Map.of()));
                    }
                })
                .ended((e, outcome) -> context.metrics().cardFetch(outcome))
                .start());
    }

    /** The agent's answer as the caller gets it: a card rewritten to the proxy, an error as the agent sent it. */
    private FullHttpResponse served(int status, HttpHeaders agentHeaders, ByteBuf card) {
        byte[] bytes = ByteBufUtil.getBytes(card);
        FullHttpResponse response;
        if (status / 100 != 2) {
            response = Answers.bytes(status, contentType(agentHeaders), bytes);
        } else {
            JsonNode parsed;
            try {
                parsed = JsonResponses.MAPPER.readTree(bytes);
            } catch (IOException e) {
                parsed = null;
            }
            if (!(parsed instanceof ObjectNode object)) {
                String start = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8);
                return Answers.error(502, "the agent card of workspace " + route.workspace() + " is not a JSON object: '" + start + "'",
                        Map.of("workspace", route.workspace().toString()), Map.of());
            }
            response = Answers.json(200, AgentCardRewriter.rewrite(object, endpoint));
        }
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

    private static String contentType(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return type == null ? "application/octet-stream" : type;
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

    /**
     * The proxy's dispatch URL as this caller reaches the proxy: its Host, or, behind a configured ingress
     * ({@code --trust-forwarded-headers}), the ingress's {@code X-Forwarded-Proto/-Host}.
     */
    static String endpoint(HttpHeaders headers, WorkspaceRoute route, boolean trustForwarded) {
        String proto = trustForwarded ? first(headers.get("X-Forwarded-Proto")) : null;
        String host = trustForwarded ? first(headers.get("X-Forwarded-Host")) : null;
        return (proto != null ? proto : "http") + "://" + (host != null ? host : headers.get(HttpHeaderNames.HOST)) + route.dispatchPath();
    }

    private static String first(String header) {
        if (header == null) {
            return null;
        }
        String value = header.split(",")[0].trim();
        return value.isEmpty() ? null : value;
    }
}
