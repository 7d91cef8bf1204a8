package dev.tether.hibernation;

import dev.tether.activity.ActivityLease;
import dev.tether.api.RuntimeStatus;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspaceStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of hibernation: it reads the proxies' activity Leases (an informer over the activity namespace),
 * asks {@link HibernationRule} what to do, and deletes
 * Leases whose replica stopped renewing them long ago (a replica that died cannot).
 */
public final class Hibernation {
    private static final Logger LOG = LoggerFactory.getLogger(Hibernation.class);
    /** An expired Lease is kept this long past its expiry (it no longer counts), then deleted. */
    static final Duration COLLECT_AFTER = ActivityLease.DURATION;

    private final String activityNamespace;

    public Hibernation(String activityNamespace) {
        this.activityNamespace = activityNamespace;
    }

    /** Activity Leases, each mapped to the workspace its annotation names. */
    public InformerEventSource<Lease, Workspace> eventSource(EventSourceContext<Workspace> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Lease.class, Workspace.class)
                .withName("activity-leases")
                .withLabelSelector(ActivityLease.SELECTOR)
                .withNamespaces(Set.of(activityNamespace))
                .withSecondaryToPrimaryMapper(lease -> ActivityLease.workspaceOf(lease)
                        .map(id -> Set.of(new ResourceID(id.name(), id.namespace()))).orElse(Set.of()))
                .build(), context);
    }

    /**
     * The rule's decision for a provisioned, unsuspended workspace.
     *
     * @param runtimeAvailable the Deployment has an available replica
     * @param offlineAfter     how long a heartbeat stays fresh: an older report of active tasks no longer counts
     */
    public HibernationRule.Decision decide(Workspace ws, Context<Workspace> context, boolean runtimeAvailable, Instant now, Duration offlineAfter) {
        Set<Lease> cached = context.getSecondaryResources(Lease.class);
        List<ActivityLease> leases = cached.stream().map(ActivityLease::of).flatMap(Optional::stream).toList();
        collectExpired(context.getClient(), ws, cached, now);
        WorkspaceStatus status = ws.getStatus();
        Instant lastBeat = status == null ? null : status.lastHeartbeat();
        RuntimeStatus runtime = status == null ? null : status.getRuntime();
        boolean reportCounts = lastBeat != null && now.isBefore(lastBeat.plus(offlineAfter));
        int active = reportCounts && runtime != null && runtime.activeTasks() != null ? Math.max(0, runtime.activeTasks()) : 0;
        Map<String, String> annotations = ws.getMetadata().getAnnotations();
        String annotation = annotations == null ? null : annotations.get(HibernationRule.ANNOTATION);
        return HibernationRule.decide(new HibernationRule.Inputs(ws.getSpec().getHibernation(), status == null ? null : status.getHibernation(),
                leases, active, lastBeat, runtimeAvailable, annotation, now));
    }

    private static void collectExpired(KubernetesClient client, Workspace ws, Set<Lease> leases, Instant now) {
        for (Lease lease : leases) {
            Optional<ActivityLease> read = ActivityLease.of(lease);
            if (read.isPresent() && !now.isBefore(read.get().expires().plus(COLLECT_AFTER))) {
                try {
                    client.resource(lease).delete();
                } catch (KubernetesClientException e) {
                    LOG.atWarn().addKeyValue("workspace", ws.getMetadata().getNamespace() + "/" + ws.getMetadata().getName())
                            .log("could not delete expired activity Lease {}: {}", lease.getMetadata().getName(), e.getMessage());
                }
            }
        }
    }
}
