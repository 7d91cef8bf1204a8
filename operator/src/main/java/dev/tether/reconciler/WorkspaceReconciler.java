package dev.tether.reconciler;

import dev.tether.api.HibernationState;
import dev.tether.api.Workspace;
import dev.tether.hibernation.Hibernation;
import dev.tether.hibernation.HibernationRule;
import dev.tether.kube.StatusPatches;
import dev.tether.provisioning.Provisioner;
import dev.tether.provisioning.ProvisioningReport;
import dev.tether.provisioning.ProvisioningSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Workspace's token Secret in place, runs its runtime when it has a template (hibernating and waking it as
 * {@link HibernationRule} decides), and keeps the reconciler's status fields true: the effective dispatch policy, phase
 * and conditions. Reacts to status-only changes too (the heartbeat writes
 * status), and wakes itself when the last heartbeat is due to go stale.
 */
@ControllerConfiguration(name = WorkspaceReconciler.NAME, generationAwareEventProcessing = false)
public final class WorkspaceReconciler implements Reconciler<Workspace> {
    public static final String NAME = "workspace";
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceReconciler.class);
    /** How long a workspace whose reconciles kept failing waits before the next round of retries. */
    static final Duration RECHECK_AFTER_FAILURES = Duration.ofMinutes(1);

    private final ReconcilerSettings settings;
    private final Provisioner provisioner;
    private final Hibernation hibernation;
    private final Clock clock;
    private final WorkspaceEvents events;

    public WorkspaceReconciler(ReconcilerSettings settings, ProvisioningSettings provisioning, Clock clock) {
        this.settings = settings;
        this.provisioner = new Provisioner(provisioning);
        this.hibernation = new Hibernation(provisioning.activityNamespace());
        this.clock = clock;
        this.events = new WorkspaceEvents(clock);
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
        sources.add(hibernation.eventSource(context));
        return sources;
    }

    @Override
    public UpdateControl<Workspace> reconcile(Workspace ws, Context<Workspace> context) {
        KubernetesClient client = context.getClient();
        Optional<Secret> cached = context.getSecondaryResource(Secret.class);
        String token = cached.map(secret -> tokenIn(client, ws, secret)).orElseGet(() -> createToken(client, ws));

        Instant now = clock.instant();
        HibernationRule.Decision sleep = ws.provisioned() && !ws.suspended()
                ? hibernation.decide(ws, context, provisioner.available(ws, context), now, settings.offlineAfter()) : null;
        // Falling asleep is written before the scale-down, so proxies hold new calls before the runtime stops.
        boolean fallingAsleep = sleep != null && sleep.replicas() == 0 && !hibernated(ws);
        int replicas = sleep != null ? (fallingAsleep ? 1 : sleep.replicas()) : ws.suspended() ? 0 : 1;
        ProvisioningReport provisioning = provisioner.reconcile(ws, context, cached.isPresent() && token != null, replicas);
        StatusPlan plan = StatusPlan.of(ws, token == null ? null : TokenSecrets.sha256(token), provisioning, sleep, now, settings);
        if (!plan.alreadyWritten(ws.getStatus())) {
            // Only our fields (WorkspaceStatus omits nulls): status.runtime and lastHeartbeatTime stay the heartbeat's.
            StatusPatches.merge(client, ws.getMetadata().getNamespace(), ws.getMetadata().getName(), plan.status());
            plan.events().forEach(e -> events.record(client, ws, e));
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
                return tokenSecretExists(client, ws);
            }
            throw e;
        }
    }

    /**
     * The token Secret's name is taken. When the Secret is this workspace's own, the cache has not seen it yet: null,
     * and its event brings us back. When it is not (made by someone else, or for an earlier workspace of the same name
     * that has not been garbage-collected), no token can be issued until it is gone: a failure that says so.
     */
    private static String tokenSecretExists(KubernetesClient client, Workspace ws) {
        Secret existing = client.secrets().inNamespace(ws.getMetadata().getNamespace()).withName(TokenSecrets.name(ws)).get();
        if (existing == null || TokenSecrets.belongsTo(existing, ws)) {
            return null;
        }
        throw new ReconcileFailure("Secret " + TokenSecrets.name(ws) + " already exists and is not this Workspace's token Secret"
                + " (no owner reference to it, or no label " + TokenSecrets.SELECTOR + "); delete or rename it so Tether can issue a token");
    }

    /**
     * The token in the workspace's Secret; when it holds none that can be used (its {@code token} key removed, or a
     * value that is not base64 of text), a fresh one is written into it: no runtime can authenticate with what is
     * there, and the Secret would otherwise stay broken for good. The write is conditional on the version the cache
     * showed, so a reconcile that still sees the broken Secret after it was repaired does not replace the new token:
     * null then, and the Secret's event brings the reconciler back.
     */
    private String tokenIn(KubernetesClient client, Workspace ws, Secret secret) {
        String token = TokenSecrets.token(secret);
        if (token != null) {
            return token;
        }
        Map<String, String> data = TokenSecrets.freshData();
        Secret stub = new SecretBuilder().withNewMetadata().withNamespace(secret.getMetadata().getNamespace())
                .withName(secret.getMetadata().getName()).endMetadata().build();
        String patch = client.getKubernetesSerialization().asJson(Map.of(
                "metadata", Map.of("resourceVersion", secret.getMetadata().getResourceVersion()), "data", data));
        try {
            client.resource(stub).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return null;
            }
            throw e;
        }
        LOG.atWarn().addKeyValue("workspace", key(ws)).addKeyValue("secret", TokenSecrets.name(ws))
                .log("the heartbeat token Secret held no usable token (key '{}' missing or not base64 text); wrote a new one", TokenSecrets.TOKEN_KEY);
        events.record(client, ws, WorkspaceEvent.warning("TokenRepaired", "Secret " + TokenSecrets.name(ws)
                + " held no usable token under key '" + TokenSecrets.TOKEN_KEY + "'; a new token was written into it"));
        return TokenSecrets.token(new SecretBuilder(stub).withData(data).build());
    }

    /**
     * A reconcile failed: {@code Ready} turns False with reason {@code ReconcileFailed} and a message naming the cause,
     * written as this reconciler's own status patch (the heartbeat's fields untouched); the next successful reconcile
     * sets it back. JOSDK retries with backoff; when its retries are spent, the workspace is looked at again after
     * {@link #RECHECK_AFTER_FAILURES}, so a cause fixed outside the Workspace (a Secret deleted) is noticed.
     */
    @Override
    public ErrorStatusUpdateControl<Workspace> updateErrorStatus(Workspace ws, Context<Workspace> context, Exception e) {
        String cause = ReconcileFailure.describe(e);
        LOG.atWarn().addKeyValue("workspace", key(ws)).log("reconcile failed, will retry: {}", cause);
        KubernetesClient client = context.getClient();
        try {
            StatusPatches.merge(client, ws.getMetadata().getNamespace(), ws.getMetadata().getName(),
                    StatusPlan.failed(ws, cause, clock.instant(), settings));
            events.record(client, ws, WorkspaceEvent.warning(StatusPlan.RECONCILE_FAILED, cause));
        } catch (KubernetesClientException writeFailed) {
            LOG.atWarn().addKeyValue("workspace", key(ws)).log("could not record the failure in status: {}",
                    ReconcileFailure.describe(writeFailed));
        }
        boolean retriesSpent = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
        return retriesSpent
                ? ErrorStatusUpdateControl.<Workspace>noStatusUpdate().withNoRetry().rescheduleAfter(RECHECK_AFTER_FAILURES)
                : ErrorStatusUpdateControl.noStatusUpdate();
    }

    private static boolean hibernated(Workspace ws) {
        return ws.getStatus() != null && ws.getStatus().hibernationSince(HibernationState.Hibernated) != null;
    }

    static String key(Workspace ws) {
        return ws.getMetadata().getNamespace() + "/" + ws.getMetadata().getName();
    }
}
