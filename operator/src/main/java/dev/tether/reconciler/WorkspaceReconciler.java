package dev.tether.reconciler;

import dev.tether.api.Workspace;
import dev.tether.kube.StatusPatches;
import dev.tether.provisioning.Provisioner;
import dev.tether.provisioning.ProvisioningReport;
import dev.tether.provisioning.ProvisioningSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Workspace's token Secret in place, runs its runtime when it has a template, and keeps the reconciler's status fields true: the effective
 * dispatch policy, phase and conditions. Reacts to status-only changes too (the heartbeat writes
 * status), and wakes itself when the last heartbeat is due to go stale.
 */
@ControllerConfiguration(name = WorkspaceReconciler.NAME, generationAwareEventProcessing = false)
public final class WorkspaceReconciler implements Reconciler<Workspace> {
    public static final String NAME = "workspace";
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceReconciler.class);

    private final ReconcilerSettings settings;
    private final Provisioner provisioner;
    private final Clock clock;

    public WorkspaceReconciler(ReconcilerSettings settings, ProvisioningSettings provisioning, Clock clock) {
        this.settings = settings;
        this.provisioner = new Provisioner(provisioning);
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, Workspace>> prepareEventSources(EventSourceContext<Workspace> context) {
        // Token Secrets map back to their Workspace through the owner reference, so deleting one reconciles it.
        List<EventSource<?, Workspace>> sources = new ArrayList<>();
        sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, Workspace.class)
                .withName("token-secrets")
                .withLabelSelector(TokenSecrets.SELECTOR)
                .withNamespacesInheritedFromController()
                .build(), context));
        sources.addAll(provisioner.eventSources(context));
        return sources;
    }

    @Override
    public UpdateControl<Workspace> reconcile(Workspace ws, Context<Workspace> context) {
        KubernetesClient client = context.getClient();
        Optional<Secret> cached = context.getSecondaryResource(Secret.class);
        String token = cached.map(TokenSecrets::token).orElseGet(() -> createToken(client, ws));

        ProvisioningReport provisioning = provisioner.reconcile(ws, context, cached.isPresent() && token != null);
        StatusPlan plan = StatusPlan.of(ws, token == null ? null : TokenSecrets.sha256(token), provisioning, clock.instant(), settings);
        if (!plan.alreadyWritten(ws.getStatus())) {
            // Only our fields (WorkspaceStatus omits nulls): status.runtime and lastHeartbeatTime stay the heartbeat's.
            StatusPatches.merge(client, ws.getMetadata().getNamespace(), ws.getMetadata().getName(), plan.status());
            WorkspaceEvents events = new WorkspaceEvents(client);
            plan.events().forEach(e -> events.record(ws, e));
            plan.events().forEach(e -> LOG.atInfo().addKeyValue("workspace", key(ws)).addKeyValue("reason", e.reason())
                    .log(e.message()));
        }
        UpdateControl<Workspace> control = UpdateControl.noUpdate();
        plan.recheckIn().ifPresent(control::rescheduleAfter);
        return control;
    }

    /**
     * Creates the token Secret and returns its token; never replaces an existing one (no rotation behind
     * the runtime's back). Null when it exists but our cache has not seen it yet: the Secret's event
     * brings us back.
     */
    private static String createToken(KubernetesClient client, Workspace ws) {
        try {
            Secret secret = TokenSecrets.newSecret(ws);
            client.resource(secret).create();
            LOG.atInfo().addKeyValue("workspace", key(ws)).addKeyValue("secret", TokenSecrets.name(ws)).log("created heartbeat token Secret");
            return TokenSecrets.token(secret);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return null;
            }
            throw e;
        }
    }

    static String key(Workspace ws) {
        return ws.getMetadata().getNamespace() + "/" + ws.getMetadata().getName();
    }
}
