package dev.tether.heartbeat;

import dev.tether.api.WorkspaceId;
import dev.tether.http.BearerTokens;
import dev.tether.http.HttpError;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The registry's refusals that carry more than a status and a message. */
public final class RegistryErrors {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryErrors.class);

    private RegistryErrors() {
    }

    /**
     * The refusal for a workspace deleted after its caller was authenticated (its status write found it gone, or the
     * cache no longer has it): it is as unknown now as any other, so the answer is the same 401. Logged at info: a
     * runtime beating while its workspace is deleted is expected.
     */
    static HttpError deletedMeanwhile(String endpoint, WorkspaceId workspace, String idField) {
        LOG.atInfo().addKeyValue("workspace", workspace.toString()).log("{} refused: the workspace was deleted meanwhile", endpoint);
        return BearerTokens.unauthorized("invalid token for " + idField + " '" + workspace + "'");
    }

    /** True when a status write failed because the workspace is gone. */
    static boolean notFound(KubernetesClientException e) {
        return e.getCode() == HttpURLConnection.HTTP_NOT_FOUND;
    }

    public static HttpError unavailable(String message) {
        return new HttpError(503, message, Map.of("retry_after_seconds", HeartbeatSettings.RETRY_AFTER_SECONDS),
                Map.of("Retry-After", String.valueOf(HeartbeatSettings.RETRY_AFTER_SECONDS)));
    }

    /** The metrics label for a refusal. */
    public static String result(HttpError e) {
        return switch (e.status()) {
            case 401 -> "unauthorized";
            case 413 -> "too_large";
            case 503 -> "unavailable";
            default -> "invalid";
        };
    }
}
