package dev.tether.proxy;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.http.JsonResponses;
import dev.tether.http.RequestBodies;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSource;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /workspaces/{ns}/{name}/a2a}: checks the request against the workspace's policy, forwards
 * the normalised JSON-RPC request to the agent and relays the answer, buffered or as a stream (decided
 * by the agent's Content-Type, never by the method). The watchdog cancels the upstream call when the
 * idle timeout or the ceiling fires; this class turns that into the caller's answer.
 */
final class A2aForwarder {
    static final String DISPATCH_LOG = "dev.tether.proxy.dispatch";
    private static final Logger LOG = LoggerFactory.getLogger(DISPATCH_LOG);
    private static final MediaType JSON = MediaType.get("application/json");
    /** Callers send a handful of distinct Content-Types; the bound only matters against invented ones. */
    private static final ParseMemo<MediaType> CONTENT_TYPES = new ParseMemo<>(MediaType::parse, 256);

    private final WorkspaceDirectory directory;
    private final DispatchWatchdog watchdog;
    private final AgentClient agents;
    private final SseRelay streams;
    private final ProxyMetrics metrics;
    private final ProxySettings settings;
    private final CallerAuthorization callers;

    A2aForwarder(WorkspaceDirectory directory, CallerAuthorization callers, DispatchWatchdog watchdog, AgentClient agents,
            ProxyMetrics metrics, ProxySettings settings) {
        this.directory = directory;
        this.callers = callers;
        this.watchdog = watchdog;
        this.agents = agents;
        this.streams = new SseRelay(watchdog, settings.maxResponseBytes());
        this.metrics = metrics;
        this.settings = settings;
    }

    void dispatch(WorkspaceId key, Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        Workspace workspace = null;
        Dispatch d;
        HttpUrl url;
        A2aRequestNormaliser.Normalised body;
        try {
            callers.authorize(request, key);
            workspace = lookup(directory, key);
            EnforcedPolicy policy = EnforcedPolicy.of(workspace, settings);
            Ceiling ceiling = Ceiling.resolve(request.getHeaders().get(Ceiling.TIMEOUT_HEADER),
                    request.getHeaders().get(Ceiling.CALLER_HEADER), policy.maxDurationSeconds());
            byte[] raw = RequestBodies.readBounded(request, settings.maxRequestBytes());
            body = A2aRequestNormaliser.normalise(raw, () -> UUID.randomUUID().toString());
            url = requireUpstream(policy);
            if (policy.budgetExhausted()) {
                throw new HttpError(402, "workspace " + key + " has spent its monthly budget (" + policy.monthlySpendCents()
                        + " of " + policy.budgetLimitCents() + " cents); raise spec.budgetLimitCents or wait for next month",
                        Map.of("workspace", key.toString(), "monthly_spend_cents", policy.monthlySpendCents(),
                                "budget_limit_cents", policy.budgetLimitCents()), Map.of());
            }
            d = new Dispatch(key, ceiling, policy.idle());
        } catch (HttpError | IOException e) {
            metrics.record(workspace == null ? ProxyMetrics.UNKNOWN_WORKSPACE : key.toString(), Outcome.REJECTED, started);
            throw e instanceof HttpError h ? h : new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        request.addIdleTimeoutListener(timeout -> false); // silence is the watchdog's to judge, not Jetty's
        watchdog.register(d);
        Outcome outcome = Outcome.UPSTREAM_ERROR;
        try {
            outcome = exchange(d, url, body, request, response, callback);
        } finally {
            watchdog.finish(d);
            metrics.record(key.toString(), outcome, started);
        }
    }

    private Outcome exchange(Dispatch d, HttpUrl url, A2aRequestNormaliser.Normalised body, Request request, Response response,
            Callback callback) {
        String callerType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        MediaType type = callerType != null && callerType.contains("json") ? CONTENT_TYPES.parse(callerType).orElse(JSON) : JSON;
        okhttp3.Request upstreamRequest = AgentClient.forwarding(url, request).post(RequestBody.create(body.body(), type)).build();
        Call call = agents.newCall(upstreamRequest, Duration.ofSeconds(d.ceiling().seconds()));
        d.attach(call);
        okhttp3.Response upstream;
        try {
            upstream = call.execute();
        } catch (IOException e) {
            return failed(d, url, e, response, callback);
        }
        try (upstream) {
            d.progress();
            BufferedSource source = AgentClient.tracking(upstream.body().source(), d::progress);
            okhttp3.MediaType agentType = upstream.body().contentType();
            if (agentType != null && agentType.type().equals("text") && agentType.subtype().equals("event-stream")) {
                return streams.relay(d, upstream, source, body.id(), response, callback);
            }
            byte[] bytes = AgentClient.readBounded(upstream.body(), source, settings.maxResponseBytes());
            watchdog.finish(d); // the agent has answered; writing to a slow caller is not agent silence
            return deliver(d, upstream, bytes, response, callback);
        } catch (AgentClient.ResponseTooLargeException e) {
            String message = "the answer of workspace " + d.workspace() + " exceeds the proxy's limit of "
                    + settings.maxResponseBytes() + " bytes; nothing was forwarded (no truncation)";
            LOG.warn(message);
            JsonResponses.error(response, callback, 502, message,
                    Map.of("workspace", d.workspace().toString(), "limit_bytes", settings.maxResponseBytes()));
            return Outcome.UPSTREAM_ERROR;
        } catch (IOException e) {
            return failed(d, url, e, response, callback);
        }
    }

    private static Outcome deliver(Dispatch d, okhttp3.Response upstream, byte[] bytes, Response response, Callback callback) {
        try {
            BufferedReply.send(d.workspace(), upstream.code(), upstream.headers(), bytes, response);
        } catch (IOException | RuntimeException e) {
            LOG.debug("caller of workspace {} went away before the answer was written: {}", d.workspace(), e.toString());
            callback.failed(e);
            return Outcome.CLIENT_GONE;
        }
        callback.succeeded();
        if (upstream.code() >= 400) {
            LOG.info("workspace {} answered HTTP {}; passed to the caller", d.workspace(), upstream.code());
            return Outcome.UPSTREAM_ERROR;
        }
        return Outcome.OK;
    }

    /** The upstream call failed: a limit the watchdog fired, the caller leaving, or the agent itself. */
    private static Outcome failed(Dispatch d, HttpUrl url, IOException e, Response response, Callback callback) {
        StopReason reason = reasonFor(d);
        WorkspaceId key = d.workspace();
        if (reason == null) {
            String message = AgentClient.unreachable(e)
                    ? "cannot reach the agent of workspace " + key + " at " + AgentClient.redacted(url) + ": " + e
                    : "the agent of workspace " + key + " failed before answering completely: " + e;
            LOG.warn(message);
            JsonResponses.error(response, callback, 502, message, Map.of("workspace", key.toString()));
            return Outcome.UPSTREAM_ERROR;
        }
        if (reason.kind() == StopReason.Kind.CLIENT_GONE) {
            callback.failed(e);
            return Outcome.CLIENT_GONE;
        }
        LOG.info(reason.describe(key));
        Map<String, String> headers = reason.kind() == StopReason.Kind.IDLE_TIMEOUT
                ? Map.of("Retry-After", Long.toString(reason.seconds())) : Map.of();
        JsonResponses.error(response, callback, new HttpError(reason.status(), reason.describe(key), reason.details(d), headers));
        return reason.outcome();
    }

    /** Why the dispatch was stopped, if the proxy stopped it; OkHttp's own call timeout counts as the ceiling. */
    static StopReason reasonFor(Dispatch d) {
        StopReason reason = d.stopReason();
        if (reason == null && d.ceilingPassed(System.nanoTime())) {
            d.stop(StopReason.ceiling(d.ceiling()));
            reason = d.stopReason();
        }
        return reason;
    }

    /** The cached Workspace, or the 404 (or 503 while the cache is still filling) a caller should see. */
    static Workspace lookup(WorkspaceDirectory directory, WorkspaceId key) {
        if (!directory.serves(key.namespace())) {
            throw new HttpError(404, "namespace " + key.namespace() + " is not served by this proxy (it serves "
                    + directory.describeScope() + ")", Map.of("workspace", key.toString()), Map.of());
        }
        return directory.find(key).orElseThrow(() -> directory.isSynced()
                ? new HttpError(404, "no workspace " + key, Map.of("workspace", key.toString()), Map.of())
                : new HttpError(503, "the proxy is still loading workspaces; retry shortly", Map.of("workspace", key.toString()),
                        Map.of("Retry-After", "1")));
    }

    /** The agent's URL, or the 503 that says none is known. */
    static HttpUrl requireUpstream(EnforcedPolicy policy) {
        return policy.upstream().orElseThrow(() -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("workspace", policy.workspace().toString());
            return new HttpError(503, policy.url() == null
                    ? "workspace " + policy.workspace() + " has no URL: set spec.url or let the runtime register one"
                    : "workspace " + policy.workspace() + " has an unusable URL '" + policy.url() + "' (not http or https)",
                    details, Map.of());
        });
    }
}
