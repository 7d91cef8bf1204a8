package dev.tether.reconciler;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tether.api.Workspace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on a Workspace, so {@code kubectl describe ws} tells its story. The same event again is the
 * same Event object with its count raised (its name is derived from the workspace, type, reason and message, as
 * Flink's {@code EventUtils} does), and repeats within {@link #REPEAT_INTERVAL} of the last write are only counted
 * here and added with the next write: a workspace failing in a retry loop costs the API server one write a minute.
 */
final class WorkspaceEvents {
    static final Duration REPEAT_INTERVAL = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceEvents.class);
    private static final String COMPONENT = "tether-operator";
    /** Event names are DNS subdomains; the workspace's name is cut to leave room for the hash. */
    private static final int MAX_NAME = 253;
    private static final int HASH_CHARS = 16;
    private static final int TRACKED_EVENTS = 8192;

    /** When an event was last written, and how often it happened since without being written. */
    private record Written(Instant at, AtomicInteger since) {
    }

    private final Clock clock;
    private final Cache<String, Written> written = Caffeine.newBuilder().maximumSize(TRACKED_EVENTS).build();

    WorkspaceEvents(Clock clock) {
        this.clock = clock;
    }

    void record(KubernetesClient client, Workspace ws, WorkspaceEvent event) {
        String name = name(ws, event);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Written last = written.getIfPresent(name);
        if (last != null && now.isBefore(last.at().plus(REPEAT_INTERVAL))) {
            last.since().incrementAndGet();
            return;
        }
        int occurrences = 1 + (last == null ? 0 : last.since().get());
        try {
            write(client, ws, event, name, now, occurrences);
            written.put(name, new Written(now, new AtomicInteger()));
        } catch (KubernetesClientException e) {
            // An event is a courtesy to humans; losing one must not fail the reconcile.
            LOG.atWarn().addKeyValue("workspace", WorkspaceReconciler.key(ws))
                    .log("could not record event {}: {}", event.reason(), ReconcileFailure.describe(e));
        }
    }

    /** The Event's name: the workspace's name, then a hash of its UID and the event's type, reason and message. */
    static String name(Workspace ws, WorkspaceEvent event) {
        String identity = String.join("\n", ws.getMetadata().getUid(), event.type(), event.reason(), event.message());
        String prefix = ws.getMetadata().getName();
        if (prefix.length() > MAX_NAME - HASH_CHARS - 1) {
            // A label of a DNS subdomain must end in a letter or digit.
            prefix = prefix.substring(0, MAX_NAME - HASH_CHARS - 1).replaceAll("[-.]+$", "");
        }
        return prefix + "." + TokenSecrets.sha256(identity).substring(0, HASH_CHARS);
    }

    private static void write(KubernetesClient client, Workspace ws, WorkspaceEvent event, String name, Instant now, int occurrences) {
        String namespace = ws.getMetadata().getNamespace();
        Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
        if (existing == null) {
            client.v1().events().inNamespace(namespace).resource(newEvent(ws, event, name, now, occurrences)).create();
            return;
        }
        int count = (existing.getCount() == null ? 1 : existing.getCount()) + occurrences;
        // Conditional on the version read, so two writers cannot lose each other's counts.
        String patch = client.getKubernetesSerialization().asJson(Map.of(
                "metadata", Map.of("resourceVersion", existing.getMetadata().getResourceVersion()),
                "count", count, "lastTimestamp", now.toString()));
        client.v1().events().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    private static Event newEvent(Workspace ws, WorkspaceEvent event, String name, Instant now, int occurrences) {
        return new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ws.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(ws.getApiVersion())
                        .withKind(ws.getKind())
                        .withName(ws.getMetadata().getName())
                        .withNamespace(ws.getMetadata().getNamespace())
                        .withUid(ws.getMetadata().getUid())
                        .withResourceVersion(ws.getMetadata().getResourceVersion())
                        .build())
                .withType(event.type())
                .withReason(event.reason())
                .withMessage(event.message())
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withCount(occurrences)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
    }
}
