package dev.tether.proxy;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchStatus;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.api.WorkspaceStatus;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * What the proxy enforces for one workspace, read from its cached resource: where to send, the idle
 * window and ceiling the reconciler resolved into {@code status.dispatch} (the proxy's defaults until
 * it has), and the budget. Pure.
 */
record EnforcedPolicy(WorkspaceId workspace, String url, IdleWindow idle, int maxDurationSeconds,
        Long budgetLimitCents, Long monthlySpendCents) {
    /** One URL per workspace at a time. */
    private static final ParseMemo<HttpUrl> URLS = new ParseMemo<>(HttpUrl::parse, 16_384);

    static EnforcedPolicy of(Workspace ws, ProxySettings settings) {
        WorkspaceStatus status = ws.getStatus();
        DispatchStatus dispatch = status == null ? null : status.getDispatch();
        IdleWindow idle = dispatch != null && dispatch.idleTimeoutSeconds() != null && dispatch.idleTimeoutSeconds() > 0
                ? new IdleWindow(dispatch.idleTimeoutSeconds(), dispatch.source() == null ? DispatchSource.Default : dispatch.source(),
                        Boolean.TRUE.equals(dispatch.clamped()))
                : new IdleWindow((int) settings.defaultIdleTimeout().toSeconds(), DispatchSource.Default, false);
        int ceiling = dispatch != null && dispatch.maxDurationSeconds() != null && dispatch.maxDurationSeconds() > 0
                ? dispatch.maxDurationSeconds()
                : (int) settings.defaultMaxDuration().toSeconds();
        RuntimeStatus runtime = status == null ? null : status.getRuntime();
        return new EnforcedPolicy(WorkspaceId.of(ws), ws.endpoint(), idle, ceiling,
                ws.getSpec() == null ? null : ws.getSpec().getBudgetLimitCents(),
                runtime == null ? null : runtime.monthlySpendCents());
    }

    /** The agent's A2A endpoint, when one is set and is an http(s) URL. */
    Optional<HttpUrl> upstream() {
        return url == null ? Optional.empty() : URLS.parse(url);
    }

    boolean budgetExhausted() {
        return budgetLimitCents != null && monthlySpendCents != null && monthlySpendCents >= budgetLimitCents;
    }
}
