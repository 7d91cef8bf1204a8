package dev.tether.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.a2a.AgentCardRewriter;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /workspaces/{ns}/{name}/.well-known/agent-card.json} (and {@code agent.json}, and the base
 * URL): fetches the agent's card from the agent and serves it with its endpoint URLs rewritten to the
 * proxy. The caller's {@code A2A-Version} goes to the agent (a 1.0 agent picks the card's shape from it)
 * and the answer keeps {@code Vary: A2A-Version}.
 */
final class AgentCardEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCardEndpoint.class);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
    static final String A2A_VERSION = "A2A-Version";

    private final WorkspaceDirectory directory;
    private final AgentClient agents;
    private final ProxySettings settings;
    private final CallerAuthorization callers;

    AgentCardEndpoint(WorkspaceDirectory directory, CallerAuthorization callers, AgentClient agents, ProxySettings settings) {
        this.directory = directory;
        this.callers = callers;
        this.agents = agents;
        this.settings = settings;
    }

    void serve(WorkspaceRoute route, Request request, Response response, Callback callback) throws IOException {
        WorkspaceId key = route.workspace();
        callers.authorize(request, key);
        HttpUrl agent = A2aForwarder.requireUpstream(EnforcedPolicy.of(A2aForwarder.lookup(directory, key), settings));
        List<HttpUrl> locations = locations(agent, route.cardFile());
        for (int i = 0; i < locations.size(); i++) {
            okhttp3.Request fetch = AgentClient.forwarding(locations.get(i), request).get().build();
            try (okhttp3.Response upstream = agents.newCall(fetch, FETCH_TIMEOUT).execute()) {
                if (upstream.code() == 404 && i < locations.size() - 1) {
                    continue;
                }
                byte[] body = AgentClient.readBounded(upstream.body(), upstream.body().source(), settings.maxResponseBytes());
                if (!upstream.isSuccessful()) {
                    BufferedReply.send(key, upstream.code(), withVary(upstream.headers()), body, response);
                } else {
                    BufferedReply.send(key, 200, withVary(upstream.headers()), rewritten(key, body, endpoint(request, route)), response);
                }
                callback.succeeded();
                return;
            } catch (AgentClient.ResponseTooLargeException e) {
                throw new HttpError(502, "the agent card of workspace " + key + " exceeds " + settings.maxResponseBytes() + " bytes",
                        Map.of("workspace", key.toString()), Map.of());
            } catch (IOException e) {
                String message = "cannot fetch the agent card of workspace " + key + " from " + AgentClient.redacted(locations.get(i)) + ": " + e;
                LOG.warn(message);
                throw new HttpError(502, message, Map.of("workspace", key.toString()), Map.of());
            }
        }
    }

    private static byte[] rewritten(WorkspaceId key, byte[] body, String endpoint) throws IOException {
        JsonNode card;
        try {
            card = A2aRequestNormaliser.MAPPER.readTree(body);
        } catch (IOException e) {
            card = null;
        }
        if (!(card instanceof ObjectNode object)) {
            String start = new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8);
            throw new HttpError(502, "the agent card of workspace " + key + " is not a JSON object: '" + start + "'",
                    Map.of("workspace", key.toString()), Map.of());
        }
        return A2aRequestNormaliser.MAPPER.writeValueAsBytes(AgentCardRewriter.rewrite(object, endpoint));
    }

    /** Where an agent may keep its card: its origin's well-known path first, then below its URL's path, then the other file name. */
    static List<HttpUrl> locations(HttpUrl agent, String file) {
        String other = file.equals(WorkspaceRoute.CARD) ? WorkspaceRoute.LEGACY_CARD : WorkspaceRoute.CARD;
        HttpUrl origin = agent.newBuilder().encodedPath("/").query(null).fragment(null).build();
        Set<HttpUrl> out = new LinkedHashSet<>();
        out.add(origin.newBuilder().encodedPath("/.well-known/" + file).build());
        String path = agent.encodedPath();
        if (!path.equals("/")) {
            out.add(origin.newBuilder().encodedPath((path.endsWith("/") ? path : path + "/") + ".well-known/" + file).build());
        }
        out.add(origin.newBuilder().encodedPath("/.well-known/" + other).build());
        return new ArrayList<>(out);
    }

    /** The proxy's dispatch URL as this caller reaches the proxy (honouring X-Forwarded-Proto/-Host from an ingress). */
    static String endpoint(Request request, WorkspaceRoute route) {
        String proto = firstValue(request.getHeaders().get("X-Forwarded-Proto"));
        String host = firstValue(request.getHeaders().get("X-Forwarded-Host"));
        return (proto != null ? proto : request.getHttpURI().getScheme()) + "://"
                + (host != null ? host : request.getHttpURI().getAuthority()) + route.dispatchPath();
    }

    private static String firstValue(String header) {
        if (header == null) {
            return null;
        }
        String first = header.split(",")[0].trim();
        return first.isEmpty() ? null : first;
    }

    /** The agent's headers plus {@code Vary: A2A-Version} when the agent did not say it. */
    private static Headers withVary(Headers upstream) {
        boolean varies = upstream.values(HttpHeader.VARY.asString()).stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains(A2A_VERSION.toLowerCase(Locale.ROOT)) || v.contains("*"));
        return varies ? upstream : upstream.newBuilder().add(HttpHeader.VARY.asString(), A2A_VERSION).build();
    }
}
