package dev.tether.proxy.cards;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tether.a2a.AgentCardInterfaces;
import dev.tether.api.RegistrationStatus;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.admission.Admission;
import dev.tether.proxy.forwarding.Exchange;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.WorkspaceRoute;
import dev.tether.proxy.server.CallerConnection;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an agent serves the HTTP+JSON transport: the {@code HTTP+JSON} interface of its card. The card the runtime
 * registered answers when routing uses the registered URL; otherwise the agent's public card is fetched and the
 * answer kept for a minute per workspace and agent URL (a card that lists no HTTP+JSON interface too). A REST base on
 * another host than the agent's URL is vetted at connect time like a registered URL: the card is the agent's word.
 */
public final class RestBases {
    static final Duration KEPT = Duration.ofSeconds(60);

    /** What to do once the base is known, or the refusal that says why there is none. */
    public interface Then {
        void resolved(Upstream base);

        void refused(HttpError error);

        /** The caller left while the card was fetched. */
        void abandoned();
    }

    private final Cache<String, Optional<Upstream>> fetched = Caffeine.newBuilder().maximumSize(16_384).expireAfterWrite(KEPT).build();
    private final Admission.Context context;

    public RestBases(Admission.Context context) {
        this.context = context;
    }

    /** Resolves the REST base of an admitted workspace, on the caller's loop; may fetch the card first. */
    public void resolve(CallerConnection connection, WorkspaceId id, Admission.Admitted admitted, Then then) {
        Upstream agent = admitted.agent();
        RegistrationStatus registration = admitted.workspace().getStatus() == null ? null : admitted.workspace().getStatus().getRegistration();
        if (admitted.policy().registered() && registration != null && registration.agentCard() != null) {
            Optional<Upstream> base = base(agent, registration.agentCard());
            if (base.isPresent()) {
                then.resolved(base.get());
                return;
            }
        }
        String key = id + " " + admitted.policy().url();
        Optional<Upstream> known = fetched.getIfPresent(key);
        if (known != null) {
            answer(id, known, then);
            return;
        }
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.ACCEPT, "application/json");
        CardFetch.start(context.forwarding(), context.metrics(), connection, id, agent, WorkspaceRoute.CARD, headers, new Exchange.Receiver() {
            @Override
            public void answered(int status, HttpHeaders agentHeaders, ByteBuf card) {
                JsonNode parsed;
                try {
                    parsed = status / 100 == 2 ? CardAnswers.parse(card) : null;
                } finally {
                    card.release();
                }
                if (parsed == null || !parsed.isObject()) {
                    then.refused(new HttpError(502, "cannot find where the agent of workspace " + id + " serves HTTP+JSON: its agent card "
                            + (status / 100 == 2 ? "is not a JSON object" : "answered " + status), Map.of("workspace", id.toString()), Map.of()));
                    return;
                }
                Optional<Upstream> base = base(agent, parsed);
                fetched.put(key, base);
                answer(id, base, then);
            }

            @Override
            public void failed(int status, String message) {
                then.refused(new HttpError(status, "cannot find where the agent of workspace " + id + " serves HTTP+JSON: " + message,
                        Map.of("workspace", id.toString()), Map.of()));
            }

            @Override
            public void abandoned() {
                then.abandoned();
            }
        });
    }

    private static void answer(WorkspaceId id, Optional<Upstream> base, Then then) {
        if (base.isPresent()) {
            then.resolved(base.get());
        } else {
            then.refused(new HttpError(404, "the agent of workspace " + id + " does not serve the HTTP+JSON transport (its agent card "
                    + "lists no usable HTTP+JSON interface); use JSON-RPC at the card's url", Map.of("workspace", id.toString()), Map.of()));
        }
    }

    /** The card's HTTP+JSON URL as an upstream, vetted unless it is on the agent's own (already judged) host. */
    static Optional<Upstream> base(Upstream agent, JsonNode card) {
        return AgentCardInterfaces.url(card, AgentCardInterfaces.HTTP_JSON).flatMap(url -> Upstream.parse(url, agent.address().checked())
                .map(u -> Objects.equals(u.address().host(), agent.address().host()) ? u : Upstream.parse(url, true).orElseThrow()));
    }
}
