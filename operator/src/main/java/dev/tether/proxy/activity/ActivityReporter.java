package dev.tether.proxy.activity;

import dev.tether.activity.ActivityLease;
import dev.tether.api.HibernationSpec;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceId;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's side of {@link ActivityLease}: while it has a call to a provisioned workspace in flight, queued or held,
 * the workspace's Lease for this replica exists and is renewed; a grace after its last call ends, the Lease is deleted.
 * Calls begin and end on event loops, which count them per workspace without a lock; only the first call of a run and
 * the end of its last hand a task to the one writer thread that keeps all Lease state, so the data path never waits on
 * the API server. A write that fails is logged and retried at the next renewal.
 *
 * <p>Write rate: per workspace and replica, one create when calls start, one renewal per {@link ActivityLease#RENEW_EVERY}
 * while they go on, one delete a grace after they stop; calls that follow each other within the grace write nothing.
 */
public final class ActivityReporter implements AutoCloseable {
    /** A run of calls on this replica; {@link #end()} once when the call is over. */
    public interface Call {
        Call NONE = () -> {
        };

        void end();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ActivityReporter.class);
    static final Duration MIN_GRACE = Duration.ofSeconds(1);
    static final Duration MAX_GRACE = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final String namespace;
    private final String holder;
    private final Clock clock;
    private final Duration renewEvery;
    private final ScheduledExecutorService writer;
    private final MeterRegistry registry;
    /** Calls in flight, queued or held per workspace, counted where they begin and end (the event loops). */
    private final Map<WorkspaceId, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** Touched on {@link #writer} only. */
    private final Map<WorkspaceId, Run> runs = new HashMap<>();

    /** One workspace's calls on this replica, and its Lease as last written. */
    private static final class Run {
        Instant acquired;
        /** The Lease was written by this run (so a renewal patches it). */
        boolean written;
        Duration grace;
        ScheduledFuture<?> release;

        Run(Instant acquired) {
            this.acquired = acquired;
        }
    }

    /**
     * @param renewEvery how often Leases are renewed while calls go on ({@link ActivityLease#RENEW_EVERY}); each lasts three
     *                   times that unrenewed
     */
    public ActivityReporter(KubernetesClient client, String namespace, String holder, Duration renewEvery, MeterRegistry registry, Clock clock) {
        this.client = client;
        this.renewEvery = renewEvery;
        this.namespace = namespace;
        this.holder = holder;
        this.clock = clock;
        this.registry = registry;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("tether-activity").daemon().factory());
        executor.setRemoveOnCancelPolicy(true);
        writer = executor;
        long every = renewEvery.toMillis();
        writer.scheduleAtFixedRate(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** A call to {@code ws} begins on this replica: its Lease is written unless this replica's run of calls already holds it. */
    public Call begin(WorkspaceId id, Workspace ws) {
        if (!ws.provisioned()) {
            return Call.NONE;
        }
        AtomicInteger calls = inFlight.computeIfAbsent(id, k -> new AtomicInteger());
        if (calls.getAndIncrement() == 0) {
            writer.execute(() -> begun(id, grace(ws.getSpec().getHibernation())));
        }
        return new Call() {
            private boolean ended;

            @Override
            public void end() {
                if (!ended) {
                    ended = true;
                    if (calls.decrementAndGet() == 0) {
                        writer.execute(() -> idle(id));
                    }
                }
            }
        };
    }

    /**
     * A call is held for {@code id}, which fell asleep at {@code asleepSince}: a run that began before then is no wake
     * request, so its Lease is acquired anew.
     */
    public void wakeWanted(WorkspaceId id, Instant asleepSince) {
        writer.execute(() -> {
            Run run = runs.get(id);
            if (run != null && !run.acquired.isAfter(asleepSince)) {
                run.acquired = clock.instant();
                write(id, run);
            }
        });
    }

    /** The workspace is gone: this replica's Lease for it goes too. */
    public void deleted(WorkspaceId id) {
        inFlight.remove(id);
        writer.execute(() -> {
            Run run = runs.remove(id);
            if (run != null) {
                if (run.release != null) {
                    run.release.cancel(false);
                }
                delete(id);
            }
        });
    }

    /** The grace after a workspace's last call: a quarter of its idle window, within 1 to 10 s. */
    static Duration grace(HibernationSpec spec) {
        if (spec == null || spec.idleAfterSeconds() == null) {
            return MAX_GRACE;
        }
        Duration quarter = Duration.ofMillis(spec.idleAfterSeconds() * 250L);
        return quarter.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : quarter.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : quarter;
    }

    /**
     * A run of calls began: its Lease is held, however short the run. The task that ends the run is always handed over
     * after this one (the call that began it ends only after handing this over), so it is never missed.
     */
    private void begun(WorkspaceId id, Duration grace) {
        Run run = runs.get(id);
        if (run == null) {
            run = new Run(clock.instant());
            runs.put(id, run);
            write(id, run);
        } else if (run.release != null) {
            run.release.cancel(false);
            run.release = null;
        }
        run.grace = grace;
    }

    /** When no call runs (the count may have moved again since the task was handed over), the Lease goes after the grace. */
    private void idle(WorkspaceId id) {
        Run run = runs.get(id);
        if (run == null || run.release != null || busy(id)) {
            return;
        }
        run.release = writer.schedule(() -> {
            run.release = null;
            if (runs.get(id) == run && !busy(id)) {
                runs.remove(id);
                delete(id);
            }
        }, run.grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean busy(WorkspaceId id) {
        AtomicInteger calls = inFlight.get(id);
        return calls != null && calls.get() > 0;
    }

    private void renewAll() {
        runs.forEach(this::write);
    }

    /**
     * Creates or renews the Lease in one request when it is where this run last left it: a create for a run that has
     * not written it yet (the wake path: one round-trip), a merge patch of all it says after that; the other when the
     * API server says it is not so.
     */
    private void write(WorkspaceId id, Run run) {
        Lease lease = ActivityLease.toLease(namespace, id, holder, run.acquired, clock.instant(), renewEvery.multipliedBy(3));
        try {
            if (run.written) {
                if (!patched(lease)) {
                    created(lease);
                }
            } else if (!created(lease)) {
                patched(lease);
            }
            run.written = true;
        } catch (KubernetesClientException e) {
            run.written = false;
            count("failed");
            LOG.atWarn().addKeyValue("workspace", id.toString())
                    .log("could not write activity Lease {}/{} (retrying at the next renewal): {}", namespace, lease.getMetadata().getName(), e.getMessage());
        }
    }

    /** False when the Lease exists already. */
    private boolean created(Lease lease) {
        try {
            client.leases().inNamespace(namespace).resource(lease).create();
            count("create");
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            return false;
        }
    }

    /** False when the Lease does not exist (any more). */
    private boolean patched(Lease lease) {
        try {
            client.leases().inNamespace(namespace).withName(lease.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(lease));
            count("renew");
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
            return false;
        }
    }

    private void delete(WorkspaceId id) {
        String name = ActivityLease.name(id, holder);
        try {
            client.leases().inNamespace(namespace).withName(name).delete();
            count("delete");
        } catch (KubernetesClientException e) {
            count("failed");
            LOG.atWarn().addKeyValue("workspace", id.toString())
                    .log("could not delete activity Lease {}/{} (the operator collects it once it expires): {}", namespace, name, e.getMessage());
        }
    }

    private void count(String op) {
        Counter.builder("tether.proxy.activity.lease.writes").description("Activity Lease writes to the API server, by operation")
                .tag("op", op).register(registry).increment();
    }

    /** Stops writing; this replica's Leases are deleted, so workspaces it served are not kept awake by a replica that left. */
    @Override
    public void close() {
        if (writer.isShutdown()) {
            return;
        }
        try {
            writer.submit(() -> {
                runs.keySet().forEach(this::delete);
                runs.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.atWarn().log("could not delete this replica's activity Leases on the way out; they expire in {}s: {}",
                    ActivityLease.DURATION.toSeconds(), e.toString());
        } finally {
            writer.shutdownNow();
        }
    }
}
