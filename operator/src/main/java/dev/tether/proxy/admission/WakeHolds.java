package dev.tether.proxy.admission;

import dev.tether.api.HibernationSpec;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import dev.tether.http.HttpError;
import dev.tether.proxy.activity.ActivityReporter;
import dev.tether.proxy.routing.WorkspaceDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls to a hibernated (or still waking) workspace, held on this replica until its runtime is ready ({@link WakeRule}):
 * the first asks for the wake through this replica's activity Lease, however many follow. Each is told once, on its own
 * loop, to go on or why not: the wake timed out, the workspace was deleted, or this proxy is stopping. Holding counts
 * against neither the idle window nor the ceiling: those start when the call goes on.
 */
public final class WakeHolds {
    /** A held call. */
    public interface Sleeper {
        /** The runtime is ready: go on (admission runs again against the workspace as it is now). */
        void awake();

        void refused(HttpError refusal);
    }

    /** A call's place among the held; {@link #leave()} when its caller goes. */
    public interface Hold {
        void leave();
    }

    private final WorkspaceDirectory directory;
    private final ActivityReporter activity;
    private final WakeMetrics metrics;
    private final Map<WorkspaceId, Instant> wakesAsked = new ConcurrentHashMap<>();
    private final Map<WorkspaceId, List<Held>> held = new ConcurrentHashMap<>();
    private final AtomicInteger holding = new AtomicInteger();
    private volatile boolean stopping;

    public WakeHolds(WorkspaceDirectory directory, ActivityReporter activity, MeterRegistry registry) {
        this.directory = directory;
        this.activity = activity;
        this.metrics = new WakeMetrics(registry, holding::get);
    }

    /** Whether a call to {@code ws} must be held now. */
    public boolean mustHold(WorkspaceId id, Workspace ws) {
        return WakeRule.mustHold(ws, () -> directory.hasReadyEndpoint(id));
    }

    /** Holds a call to {@code ws} until it is awake, or refuses it (told on {@code loop}). */
    public Hold hold(WorkspaceId id, Workspace ws, EventExecutor loop, Sleeper sleeper) {
        int timeoutSeconds = HibernationSpec.wakeTimeoutSeconds(ws.getSpec().getHibernation());
        Held h = new Held(id, loop, sleeper, timeoutSeconds);
        holding.incrementAndGet();
        if (stopping) {
            h.refuse(stoppingRefusal(id));
            return h;
        }
        held.compute(id, (k, list) -> {
            List<Held> next = list == null ? new ArrayList<>() : list;
            next.add(h);
            return next;
        });
        h.timeout = loop.schedule(h::expire, timeoutSeconds, TimeUnit.SECONDS);
        // Asks for the wake, or lets the call go if it woke between the caller's look at the cache and now.
        changed(id);
        return h;
    }

    /** The workspace or its endpoints changed in the cache: the held calls go once it is awake. */
    public void changed(WorkspaceId id) {
        if (!held.containsKey(id)) {
            return;
        }
        Optional<Workspace> ws = directory.find(id);
        if (ws.isEmpty()) {
            return;
        }
        if (mustHold(id, ws.get())) {
            requestWake(id, ws.get());
            return;
        }
        for (Held h : take(id)) {
            h.go();
        }
    }

    /** The workspace was deleted: its held calls are told. */
    public void deleted(WorkspaceId id) {
        HttpError gone = new HttpError(404, "workspace " + id + " was deleted while the call waited for it to wake",
                Map.of("workspace", id.toString()), Map.of());
        take(id).forEach(h -> h.refuse(gone));
        wakesAsked.remove(id);
        metrics.deleted(id);
    }

    /** This proxy stops: held calls are told to retry (another replica holds them), and none is held from now on. */
    public void stopping() {
        stopping = true;
        for (WorkspaceId id : List.copyOf(held.keySet())) {
            take(id).forEach(h -> h.refuse(stoppingRefusal(id)));
        }
    }

    /** Asks for the wake once per sleep: a hibernated workspace's Lease acquired after it fell asleep is the request. */
    private void requestWake(WorkspaceId id, Workspace ws) {
        Instant asleep = WakeRule.asleepSince(ws);
        if (asleep == null) {
            return;
        }
        activity.wakeWanted(id, asleep);
        if (!asleep.equals(wakesAsked.put(id, asleep))) {
            metrics.wake(id);
        }
    }

    private List<Held> take(WorkspaceId id) {
        List<Held> taken = held.remove(id);
        return taken == null ? List.of() : taken;
    }

    private void forget(Held h) {
        held.computeIfPresent(h.workspace, (k, list) -> {
            list.remove(h);
            return list.isEmpty() ? null : list;
        });
    }

    private static HttpError stoppingRefusal(WorkspaceId id) {
        return new HttpError(503, "the proxy replica holding this call while workspace " + id + " wakes is stopping; retry",
                Map.of("workspace", id.toString(), "reason", "stopping"), Map.of("Retry-After", "1"));
    }

    private final class Held implements Hold {
        private final WorkspaceId workspace;
        private final EventExecutor loop;
        private final Sleeper sleeper;
        private final int timeoutSeconds;
        private final long since = System.nanoTime();
        private final AtomicBoolean settled = new AtomicBoolean();
        private ScheduledFuture<?> timeout;

        Held(WorkspaceId workspace, EventExecutor loop, Sleeper sleeper, int timeoutSeconds) {
            this.workspace = workspace;
            this.loop = loop;
            this.sleeper = sleeper;
            this.timeoutSeconds = timeoutSeconds;
        }

        void go() {
            if (settle()) {
                metrics.coldStart(System.nanoTime() - since);
                loop.execute(sleeper::awake);
            }
        }

        void refuse(HttpError refusal) {
            if (settle()) {
                loop.execute(() -> sleeper.refused(refusal));
            }
        }

        void expire() {
            if (settle()) {
                forget(this);
                metrics.timedOut();
                long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
                sleeper.refused(new HttpError(503, "workspace " + workspace + " did not wake within spec.hibernation.wakeTimeoutSeconds ("
                        + timeoutSeconds + " s): its runtime is not ready yet; retry later",
                        Map.of("workspace", workspace.toString(), "reason", "wake_timeout", "waited_seconds", waited),
                        Map.of("Retry-After", "30")));
            }
        }

        @Override
        public void leave() {
            if (settle()) {
                forget(this);
            }
        }

        /** True for the one caller that settles it. */
        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
            holding.decrementAndGet();
            return true;
        }
    }
}
