package dev.tether.heartbeat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.api.DispatchStatus;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.HibernationState;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceStatus;
import dev.tether.http.BearerTokens;
import dev.tether.http.HttpError;
import dev.tether.http.JsonEndpoint;
import dev.tether.http.JsonResponses;
import dev.tether.http.RequestBodies;
import dev.tether.policy.DispatchPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /registry/heartbeat}: authenticates the runtime with its workspace's token, validates the
 * beat, and writes {@code status.runtime} and {@code status.lastHeartbeatTime} when the write economy
 * says so. Answers with the effective dispatch policy.
 */
public final class HeartbeatEndpoint extends JsonEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatEndpoint.class);
    private static final ObjectMapper MAPPER = JsonResponses.MAPPER;
    private static final int MAX_WRITES_IN_FLIGHT = 64;
    private static final Duration WRITE_SLOT_WAIT = Duration.ofSeconds(10);

    /** What this replica last wrote for a workspace: newer than the informer cache until the watch catches up. */
    private record Written(RuntimeStatus runtime, Instant beat) {
    }

    /**
     * One workspace's beats on this replica: the lock that serialises decide, write and memo, and the memo. Without
     * the lock two beats of one workspace racing could leave the memo naming the write that landed first, and a later
     * beat repeating that content would be skipped while status holds the other one. One lock per workspace, not
     * stripes: the lock is held across the API round trip, and a stripe would make beats of other workspaces wait.
     */
    private static final class WorkspaceBeats {
        final ReentrantLock lock = new ReentrantLock();
        /** Guarded by {@link #lock}. */
        Written memo;
    }

    private final RegistryContext registry;
    private final StatusWrite write;
    /**
     * The live workspaces' locks and memos, by UID, so a workspace deleted and created again under its name starts
     * afresh. Nothing outlives its workspace: the informer's delete removes the entry, and a beat authenticated just
     * before the delete that only then asks for an entry finds, once it holds the entry's lock, that the cache no
     * longer has that UID and removes the entry itself (the cache forgets an object before its delete listeners run,
     * so one of the two always sees the other). A beat still holding a removed entry writes its memo into an object
     * nobody can reach.
     * Neither weak values nor a size bound would do: the memo must outlive the beat until the watch catches up, and a
     * memo dropped early lets a beat repeating the cache's older content be skipped.
     */
    private final Map<String, WorkspaceBeats> beatsByUid = new ConcurrentHashMap<>();
    /**
     * Bounds the status writes in flight across workspaces. Each one holds a client thread while the API
     * server answers; when it slows, thousands of due refreshes would otherwise pile up as thousands of
     * threads (a benchmark at 10,000 workspaces ran the machine out of them). A beat that finds no slot
     * in time is answered 503 and retried by its runtime; beats that need no write never wait here.
     */
    private final Semaphore writeSlots = new Semaphore(MAX_WRITES_IN_FLIGHT);

    public HeartbeatEndpoint(RegistryContext registry) {
        this(registry, StatusWrite.through(registry.client()));
    }

    /** @param write how a beat's status fields reach the API server */
    HeartbeatEndpoint(RegistryContext registry, StatusWrite write) {
        super(Set.of("POST"), true);
        this.registry = registry;
        this.write = write;
        registry.caches().onWorkspaceDeleted(deleted -> beatsByUid.remove(deleted.getMetadata().getUid()));
    }

    @Override
    protected void serve(Request request, Response response, Callback callback) throws Exception {
        Heartbeat beat;
        try {
            String token = BearerTokens.require(request);
            beat = HeartbeatParser.parse(RequestBodies.readBounded(request, HeartbeatSettings.MAX_BODY_BYTES), registry.settings().defaultNamespace());
            if (!registry.caches().synced()) {
                throw RegistryErrors.unavailable("Tether is starting and has not loaded workspaces yet");
            }
            if (!registry.caches().authenticates(beat.workspace(), token)) {
                throw BearerTokens.unauthorized("invalid token for workspace_id '" + beat.workspace() + "'");
            }
        } catch (HttpError e) {
            registry.metrics().request("heartbeat", RegistryErrors.result(e));
            throw e;
        }
        Workspace ws = registry.caches().workspace(beat.workspace());
        if (ws == null) {
            throw unknownNow(beat);
        }
        Recorded recorded = record(ws, beat);
        registry.metrics().request("heartbeat", recorded.decision() == WriteEconomy.Decision.SKIP ? "accepted" : "written");

        DispatchStatus effective = DispatchPolicy.resolve(ws.getSpec() == null ? null : ws.getSpec().getDispatch(),
                recorded.runtime().idleTimeoutSeconds(), registry.settings().policy());
        JsonResponses.send(response, callback, 200, Map.of("status", "ok", "dispatch", Map.of(
                "idle_timeout_seconds", effective.idleTimeoutSeconds(),
                "source", effective.source().name().toLowerCase(Locale.ROOT),
                "clamped", effective.clamped(),
                "max_duration_seconds", effective.maxDurationSeconds())));
    }

    /** What a beat made of status.runtime, and whether it was written. */
    private record Recorded(RuntimeStatus runtime, WriteEconomy.Decision decision) {
    }

    /**
     * Decides and, when due, writes; the decision, the write and the memo update are atomic per workspace. A beat
     * whose workspace was deleted since it was authenticated is refused as an unknown workspace.
     */
    private Recorded record(Workspace ws, Heartbeat beat) {
        String uid = ws.getMetadata().getUid();
        WorkspaceBeats beats = beatsByUid.computeIfAbsent(uid, k -> new WorkspaceBeats());
        beats.lock.lock();
        try {
            Workspace current = registry.caches().workspace(beat.workspace());
            if (current == null || !uid.equals(current.getMetadata().getUid())) {
                beatsByUid.remove(uid, beats);
                throw unknownNow(beat);
            }
            return recordLocked(beats, ws, beat);
        } finally {
            beats.lock.unlock();
        }
    }

    /** A workspace deleted while its beat was on the way: as unknown as any other. */
    private HttpError unknownNow(Heartbeat beat) {
        registry.metrics().request("heartbeat", "unauthorized");
        return RegistryErrors.deletedMeanwhile("heartbeat", beat.workspace(), "workspace_id");
    }

    /** When the workspace was scaled up for a wake, while it is waking; null otherwise. */
    private static Instant wokenAt(WorkspaceStatus status) {
        return status == null ? null : status.hibernationSince(HibernationState.Waking);
    }

    private boolean acquireWriteSlot() {
        try {
            return writeSlots.tryAcquire(WRITE_SLOT_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Recorded recordLocked(WorkspaceBeats beats, Workspace ws, Heartbeat beat) {
        String key = beat.workspace().toString();
        WorkspaceStatus cached = ws.getStatus();
        Instant now = registry.clock().instant();
        Instant cachedBeat = cached == null ? null : cached.lastHeartbeat();
        Written known = newer(beats.memo, cached == null ? null : cached.getRuntime(), cachedBeat);

        RuntimeStatus next = RuntimeReports.next(known == null ? null : known.runtime(), known == null ? null : known.beat(), beat, now,
                registry.settings().declarationLapse());
        int window = cached != null && cached.getDispatch() != null && cached.getDispatch().idleTimeoutSeconds() != null
                ? cached.getDispatch().idleTimeoutSeconds() : registry.settings().policy().defaultIdleSeconds();
        WriteEconomy.Decision decision = WriteEconomy.decide(known == null ? null : known.runtime(), known == null ? null : known.beat(),
                next, now, WriteEconomy.refreshEvery(registry.settings().statusInterval(), window),
                ws.getSpec() == null ? null : ws.getSpec().getBudgetLimitCents(), wokenAt(cached));
        if (decision == WriteEconomy.Decision.SKIP) {
            return new Recorded(next, decision);
        }
        ObjectNode status = MAPPER.createObjectNode();
        status.put("lastHeartbeatTime", now.toString());
        status.set("runtime", MAPPER.valueToTree(next));
        if (!acquireWriteSlot()) {
            LOG.atWarn().addKeyValue("workspace", key).log("heartbeat not recorded: {} status writes already waiting on the API server",
                    MAX_WRITES_IN_FLIGHT);
            registry.metrics().request("heartbeat", "unavailable");
            throw RegistryErrors.unavailable("the Kubernetes API server is slow to take status writes; send the next heartbeat as usual");
        }
        try {
            registry.metrics().patchLatency().record(() -> write.write(ws, status));
        } catch (KubernetesClientException e) {
            beats.memo = null;
            if (RegistryErrors.notFound(e)) {
                beatsByUid.remove(ws.getMetadata().getUid(), beats);
                throw unknownNow(beat);
            }
            LOG.atWarn().addKeyValue("workspace", key).log("heartbeat not recorded, API server unavailable: {}", e.getMessage());
            registry.metrics().request("heartbeat", "unavailable");
            throw RegistryErrors.unavailable("the Kubernetes API server cannot be reached; send the next heartbeat as usual");
        } finally {
            writeSlots.release();
        }
        beats.memo = new Written(next, now);
        registry.metrics().patched(decision.name().toLowerCase(Locale.ROOT));
        return new Recorded(next, decision);
    }

    private static Written newer(Written memo, RuntimeStatus cachedRuntime, Instant cachedBeat) {
        if (memo != null && (cachedBeat == null || !memo.beat().isBefore(cachedBeat))) {
            return memo;
        }
        return cachedBeat == null && cachedRuntime == null ? null : new Written(cachedRuntime, cachedBeat);
    }
}
