package dev.tether.heartbeat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.RegistrationStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.BearerTokens;
import dev.tether.http.HttpError;
import dev.tether.http.JsonEndpoint;
import dev.tether.http.JsonResponses;
import dev.tether.http.RequestBodies;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /registry/register} ({@code {id, url, agent_card}}) and {@code POST /registry/update-card}
 * ({@code {workspace_id, agent_card}}): the runtime's own URL and agent card, stored in
 * {@code status.registration}. Same authentication as the heartbeat; spec.url still wins for routing.
 */
public final class RegisterEndpoint extends JsonEndpoint {
    /** Which of the two wire shapes this instance serves. */
    public enum Kind { REGISTER, UPDATE_CARD }

    private static final Logger LOG = LoggerFactory.getLogger(RegisterEndpoint.class);
    private static final ObjectMapper MAPPER = JsonResponses.MAPPER;

    private final Kind kind;
    private final RegistryContext registry;
    private final StatusWrite write;

    public RegisterEndpoint(Kind kind, RegistryContext registry) {
        this(kind, registry, StatusWrite.through(registry.client()));
    }

    /** @param write how the registration reaches the API server */
    RegisterEndpoint(Kind kind, RegistryContext registry, StatusWrite write) {
        super(Set.of("POST"), true);
        this.kind = kind;
        this.registry = registry;
        this.write = write;
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) {
        String endpoint = kind == Kind.REGISTER ? "register" : "update_card";
        try {
            String token = BearerTokens.require(request);
            JsonNode body = HeartbeatParser.readObject(RequestBodies.readBounded(request, HeartbeatSettings.MAX_REGISTER_BODY_BYTES));
            String idField = kind == Kind.REGISTER ? "id" : "workspace_id";
            WorkspaceId ref = HeartbeatParser.workspaceId(body, idField, registry.settings().defaultNamespace());
            String url = kind == Kind.REGISTER
                    ? RegisteredUrls.validate("url", HeartbeatParser.requiredString(body, "url", RegisteredUrls.MAX_LENGTH))
                    : null;
            JsonNode card = card(body.get("agent_card"), kind == Kind.UPDATE_CARD);
            if (!registry.caches().synced()) {
                throw RegistryErrors.unavailable("Tether is starting and has not loaded workspaces yet");
            }
            if (!registry.caches().authenticates(ref, token)) {
                throw BearerTokens.unauthorized("invalid token for " + idField + " '" + ref + "'");
            }
            Workspace ws = registry.caches().workspace(ref);
            if (ws == null) {
                throw RegistryErrors.deletedMeanwhile(endpoint, ref, idField);
            }
            write(ws, ref, idField, endpoint, url, card);
            registry.metrics().request(endpoint, "written");
            JsonResponses.send(response, callback, 200, Map.of("status", "ok"));
        } catch (HttpError e) {
            registry.metrics().request(endpoint, RegistryErrors.result(e));
            throw e;
        } catch (java.io.IOException e) {
            throw new HttpError(400, "body could not be read: " + e.getMessage());
        }
    }

    private static JsonNode card(JsonNode card, boolean required) {
        if (card == null || card.isNull()) {
            if (required) {
                throw new HttpError(400, "field 'agent_card' is required");
            }
            return null;
        }
        if (!card.isObject()) {
            throw new HttpError(400, "field 'agent_card' must be an object");
        }
        return card;
    }

    private void write(Workspace ws, WorkspaceId ref, String idField, String endpoint, String url, JsonNode card) {
        RegistrationStatus stored = ws.getStatus() == null ? null : ws.getStatus().getRegistration();
        // update-card keeps the registered URL; register without a card keeps the stored card.
        RegistrationStatus next = new RegistrationStatus(
                url != null ? url : stored == null ? null : stored.url(),
                card != null ? card : stored == null ? null : stored.agentCard(),
                registry.clock().instant().toString());
        ObjectNode status = MAPPER.createObjectNode();
        status.set("registration", MAPPER.valueToTree(next));
        try {
            write.write(ws, status);
        } catch (KubernetesClientException e) {
            if (RegistryErrors.notFound(e)) {
                throw RegistryErrors.deletedMeanwhile(endpoint, ref, idField);
            }
            LOG.atWarn().addKeyValue("workspace", ref.toString())
                    .log("registration not recorded, API server unavailable: {}", e.getMessage());
            throw RegistryErrors.unavailable("the Kubernetes API server cannot be reached; register again shortly");
        }
        registry.metrics().patched("registration");
    }
}
