package dev.tether.activity;

import dev.tether.api.WorkspaceId;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * How a proxy replica tells the operator it is dispatching to a workspace: a coordination Lease in the activity namespace,
 * one per workspace and replica, that exists while the replica has a call to the workspace in flight, queued or held
 * (and a short grace after), renewed every {@link #RENEW_EVERY} and deleted when the replica is done. A replica that
 * dies stops renewing: its Lease expires after {@link #DURATION} and no longer keeps the workspace awake.
 * {@code spec.acquireTime} is when the replica's current run of calls began; one begun after a hibernation asks for a wake.
 */
public record ActivityLease(WorkspaceId workspace, String holder, Instant acquired, Instant renewed, Duration duration) {
    /** Selects activity Leases; the value is the only one written. */
    public static final String LABEL = "tether.dev/activity";
    public static final String LABEL_VALUE = "dispatch";
    public static final String SELECTOR = LABEL + "=" + LABEL_VALUE;
    /** The workspace ({@code namespace/name}) a Lease speaks for: names are hashed, so it is spelled out here. */
    public static final String WORKSPACE_ANNOTATION = "tether.dev/workspace";
    public static final Duration RENEW_EVERY = Duration.ofSeconds(30);
    public static final Duration DURATION = RENEW_EVERY.multipliedBy(3);

    /** Whether the Lease still speaks for a replica at {@code now} (it has not expired unrenewed). */
    public boolean fresh(Instant now) {
        return now.isBefore(expires());
    }

    public Instant expires() {
        return renewed.plus(duration);
    }

    /**
     * The Lease's name: a hash of workspace and holder (the two may be longer than a name allows together), readable
     * enough to tell workspaces apart: {@code tether-activity-<16 hex of the workspace>-<8 hex of the holder>}.
     */
    public static String name(WorkspaceId workspace, String holder) {
        return "tether-activity-" + hex(workspace.toString(), 16) + "-" + hex(holder, 8);
    }

    /** The Lease a replica writes for its run of calls to {@code workspace}, counting for {@code duration} unless renewed. */
    public static Lease toLease(String namespace, WorkspaceId workspace, String holder, Instant acquired, Instant renewed, Duration duration) {
        return new LeaseBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name(workspace, holder))
                .withLabels(Map.of(LABEL, LABEL_VALUE, "app.kubernetes.io/managed-by", "tether"))
                .withAnnotations(Map.of(WORKSPACE_ANNOTATION, workspace.toString())).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds((int) duration.toSeconds())
                .withAcquireTime(micro(acquired)).withRenewTime(micro(renewed)).endSpec()
                .build();
    }

    /** The workspace an activity Lease speaks for, when it is one and well-formed. */
    public static Optional<WorkspaceId> workspaceOf(Lease lease) {
        Map<String, String> annotations = lease.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(WORKSPACE_ANNOTATION))
                .flatMap(id -> id.indexOf('/') < 0 ? Optional.empty() : WorkspaceId.parse(id, ""));
    }

    /** The Lease read back; empty when it lacks what a replica always writes (then it keeps nothing awake). */
    public static Optional<ActivityLease> of(Lease lease) {
        var spec = lease.getSpec();
        if (spec == null || spec.getRenewTime() == null || spec.getLeaseDurationSeconds() == null) {
            return Optional.empty();
        }
        Instant renewed = spec.getRenewTime().toInstant();
        Instant acquired = spec.getAcquireTime() == null ? renewed : spec.getAcquireTime().toInstant();
        return workspaceOf(lease).map(ws -> new ActivityLease(ws, spec.getHolderIdentity(), acquired, renewed,
                Duration.ofSeconds(spec.getLeaseDurationSeconds())));
    }

    private static ZonedDateTime micro(Instant at) {
        return at.atZone(ZoneOffset.UTC);
    }

    private static String hex(String text, int chars) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, chars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
