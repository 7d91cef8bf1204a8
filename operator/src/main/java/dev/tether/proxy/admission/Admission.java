package dev.tether.proxy.admission;

import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.activity.ActivityReporter;
import dev.tether.proxy.callers.CallerAuthorization;
import dev.tether.proxy.forwarding.Ceiling;
import dev.tether.proxy.forwarding.Forwarding;
import dev.tether.proxy.forwarding.ProxyMetrics;
import dev.tether.proxy.forwarding.Upstream;
import dev.tether.proxy.routing.EnforcedPolicy;
import dev.tether.proxy.routing.ProxyPeers;
import dev.tether.proxy.routing.WorkspaceDirectory;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;

/**
 * The checks every call to an agent passes before anything is sent, whatever its transport: the caller is authorised
 * (and Tether's credential consumed) and the workspace found in the informer cache; then (after any wake hold, see
 * {@link WakeHolds}) its policy read, the caller's
 * ceiling resolved within it, the agent's URL known and the monthly budget not spent.
 */
public final class Admission {
    /** What admission needs; one per proxy. */
    public record Context(WorkspaceDirectory directory, CallerAuthorization callers, Forwarding forwarding, ProxyMetrics metrics,
            Capacity capacity, ProxyPeers peers, ActivityReporter activity, WakeHolds wakes, boolean trustForwardedHeaders,
            int defaultIdleSeconds, int defaultMaxDurationSeconds) {
    }

    /** An admitted call: the workspace as cached, what to enforce on it, and where its agent is. */
    public record Admitted(Workspace workspace, EnforcedPolicy policy, Ceiling ceiling, Upstream agent) {
    }

    private Admission() {
    }

    /** The caller may call {@code id}, which exists: its cached resource, or the refusal thrown; {@code headers} lose Tether's credential. */
    public static Workspace authorize(Context context, HttpHeaders headers, WorkspaceId id) {
        context.callers().authorize(headers, id);
        return WorkspaceLookup.find(context.directory(), id);
    }

    /** Admits an authorised call to {@code ws} (as cached now) or throws the refusal. */
    public static Admitted admit(Context context, HttpHeaders headers, WorkspaceId id, Workspace ws) {
        EnforcedPolicy policy = EnforcedPolicy.of(ws, context.defaultIdleSeconds(), context.defaultMaxDurationSeconds());
        Ceiling ceiling = Ceiling.resolve(headers.get(Ceiling.TIMEOUT_HEADER), headers.get(Ceiling.CALLER_HEADER), policy.maxDurationSeconds());
        Upstream agent = WorkspaceLookup.upstream(context.directory(), policy);
        if (policy.budgetExhausted()) {
            throw new HttpError(402, "workspace " + id + " has spent its monthly budget (" + policy.monthlySpendCents()
                    + " of " + policy.budgetLimitCents() + " cents); raise spec.budgetLimitCents or wait for next month",
                    Map.of("workspace", id.toString(), "monthly_spend_cents", policy.monthlySpendCents(),
                            "budget_limit_cents", policy.budgetLimitCents()), Map.of());
        }
        return new Admitted(ws, policy, ceiling, agent);
    }
}
