package dev.tether.proxy;

import dev.tether.http.HttpError;
import dev.tether.http.JsonEndpoint;
import dev.tether.http.RequestBodies;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /registry/*} on the proxy, relayed to the operator: runtimes have one platform URL for heartbeats,
 * registration, discovery and dispatch. The operator authenticates and answers; this only carries the request
 * (its credentials included) and the answer, and says where the caller reached the platform
 * ({@code X-Forwarded-Proto/-Host}) so discovery answers name the proxy.
 */
final class RegistryRelay extends JsonEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryRelay.class);
    /** The largest registry request (a registration with its agent card). */
    static final int MAX_BODY_BYTES = 256 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpUrl registry;
    private final int maxResponseBytes;
    private final OkHttpClient client;

    RegistryRelay(String registryUrl, int maxResponseBytes) {
        super(Set.of("GET", "POST"), false);
        this.registry = HttpUrl.get(registryUrl);
        this.maxResponseBytes = maxResponseBytes;
        this.client = new OkHttpClient.Builder().callTimeout(TIMEOUT).followRedirects(false).retryOnConnectionFailure(false).build();
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws IOException {
        HttpUrl target = registry.newBuilder().encodedPath(request.getHttpURI().getPath()).encodedQuery(request.getHttpURI().getQuery()).build();
        Headers.Builder headers = new Headers.Builder();
        var hop = HeaderPolicy.connectionTokens(request.getHeaders().getValuesList(HttpHeader.CONNECTION));
        for (HttpField field : request.getHeaders()) {
            if (HeaderPolicy.forwardToCaller(field.getName(), hop) && !field.is(HttpHeader.HOST.asString())
                    && !field.getLowerCaseName().startsWith("x-forwarded-")) {
                headers.addUnsafeNonAscii(field.getName(), field.getValue() == null ? "" : field.getValue());
            }
        }
        headers.set("X-Forwarded-Proto", request.getHttpURI().getScheme());
        headers.set("X-Forwarded-Host", request.getHttpURI().getAuthority());
        okhttp3.Request.Builder relayed = new okhttp3.Request.Builder().url(target).headers(headers.build());
        if (request.getMethod().equals("POST")) {
            byte[] body = RequestBodies.readBounded(request, MAX_BODY_BYTES);
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            relayed.post(RequestBody.create(body, type == null ? null : MediaType.parse(type)));
        }
        try (okhttp3.Response answer = client.newCall(relayed.build()).execute()) {
            byte[] body = AgentClient.readBounded(answer.body(), answer.body().source(), maxResponseBytes);
            BufferedReply.send(null, answer.code(), answer.headers(), body, response);
            callback.succeeded();
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("path", target.encodedPath()).log("registry relay to {} failed: {}", AgentClient.redacted(registry), e.toString());
            throw new HttpError(502, "the registry (Tether's operator) cannot be reached; retry shortly", Map.of(), Map.of("Retry-After", "5"));
        }
    }

    @Override
    public void close() {
        client.connectionPool().evictAll();
        client.dispatcher().executorService().shutdown();
    }

    /** What the proxy answers on {@code /registry/*} when it relays nowhere. */
    static final class Disabled extends JsonEndpoint {
        Disabled() {
            super(Set.of("GET", "POST"), false);
        }

        @Override
        protected void serve(Request request, Response response, Callback callback) {
            throw new HttpError(404, "this proxy does not relay /registry/*: start it with --registry-url (the operator's URL), "
                    + "or send registry calls to the operator");
        }
    }
}
