package dev.tether.proxy.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchStatus;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceStatus;
import dev.tether.proxy.forwarding.IdleWindow;
import dev.tether.proxy.forwarding.Upstream;
import java.util.Optional;

/**
 * What the proxy enforces for one workspace, read from its cached resource: where to send (spec.url; else, for a
 * provisioned workspace, its ready endpoints; else the URL the runtime registered, whose address is then vetted at
 * connect time), whether it is suspended, the idle window and ceiling the reconciler
 * resolved into {@code status.dispatch} (the proxy's defaults until it has), and the budget. Pure but for a bounded
 * cache of parsed URLs.
 */
public record EnforcedPolicy(WorkspaceId workspace, String url, boolean registered, boolean provisioned, boolean suspended,
        IdleWindow idle, int maxDurationSeconds, Long budgetLimitCents, Long monthlySpendCents) {
    /** Parsed agent URLs; bounded by size, so URLs a caller cannot choose anyway never grow it without end. */
    private static final Cache<String, Optional<Upstream>> URLS = Caffeine.newBuilder().maximumSize(16_384).build();

    public static EnforcedPolicy of(Workspace ws, int defaultIdleSeconds, int defaultMaxDurationSeconds) {
        WorkspaceStatus status = ws.getStatus();
        DispatchStatus dispatch = status == null ? null : status.getDispatch();
        IdleWindow idle = dispatch != null && dispatch.idleTimeoutSeconds() != null && dispatch.idleTimeoutSeconds() > 0
                ? new IdleWindow(dispatch.idleTimeoutSeconds(), dispatch.source() == null ? DispatchSource.Default : dispatch.source(),
                        Boolean.TRUE.equals(dispatch.clamped()))
                : new IdleWindow(defaultIdleSeconds, DispatchSource.Default, false);
        int ceiling = dispatch != null && dispatch.maxDurationSeconds() != null && dispatch.maxDurationSeconds() > 0
                ? dispatch.maxDurationSeconds() : defaultMaxDurationSeconds;
        RuntimeStatus runtime = status == null ? null : status.getRuntime();
        boolean fromSpec = ws.getSpec() != null && ws.getSpec().getUrl() != null && !ws.getSpec().getUrl().isBlank();
        return new EnforcedPolicy(WorkspaceId.of(ws), ws.endpoint(), !fromSpec && !ws.provisioned(), ws.provisioned(), ws.suspended(),
                idle, ceiling,
                ws.getSpec() == null ? null : ws.getSpec().getBudgetLimitCents(),
                runtime == null ? null : runtime.monthlySpendCents());
    }

    /** The agent's A2A endpoint, when one is set and is an http(s) URL. */
    public Optional<Upstream> upstream() {
        return url == null ? Optional.empty() : URLS.get((registered ? "registered " : "spec ") + url, k -> Upstream.parse(url, registered));
    }

    public boolean budgetExhausted() {
        return budgetLimitCents != null && monthlySpendCents != null && monthlySpendCents >= budgetLimitCents;
    }
}
