package dev.tether.chart;

import static dev.tether.chart.HelmChart.LEADER_ELECTION_PERMISSIONS;
import static dev.tether.chart.HelmChart.OPERATOR_ACTIVITY_PERMISSIONS;
import static dev.tether.chart.HelmChart.OPERATOR_PERMISSIONS;
import static dev.tether.chart.HelmChart.PROXY_ACTIVITY_PERMISSIONS;
import static dev.tether.chart.HelmChart.PROXY_PERMISSIONS;
import static dev.tether.chart.HelmChart.grant;
import static dev.tether.chart.HelmChart.union;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import dev.tether.api.Workspace;
import dev.tether.api.WorkspacePhase;
import dev.tether.api.WorkspaceSpec;
import dev.tether.api.WorkspaceStatus;
import dev.tether.chart.HelmChart.Rendered;
import dev.tether.kube.KubeClients;
import dev.tether.testing.RealApiTest;
import dev.tether.testing.RealKubeApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart on a real kube-apiserver (1.20.2, RBAC authorization, as kube-api-test starts it):
 * {@code helm install} with default and non-default values is accepted object by object, with the
 * HPA and PDB apiVersions this server serves; then the installed RBAC is proven with
 * SubjectAccessReviews for every verb on every resource that matters, and with real requests made
 * as each role's ServiceAccount.
 *
 * <p>ServiceMonitor is the one kind left out here: this API server has no monitoring.coreos.com
 * CRDs (the Prometheus Operator installs them), so Helm would refuse the release with "no matches
 * for kind ServiceMonitor". ChartTest checks the ServiceMonitors' content.
 */
@RealApiTest
class ChartRealApiTest {
    @RegisterExtension
    static final RealKubeApi kube = new RealKubeApi();

    /** Every verb RBAC knows for resources, so "denied" is checked as carefully as "allowed". */
    private static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");

    /** The resources probed: those Tether uses, and some it must not touch. */
    private static final List<String> RESOURCES = List.of(
            "tether.dev workspaces", "tether.dev workspaces/status", " secrets", " events", "coordination.k8s.io leases",
            " configmaps", " pods", " serviceaccounts", "apps deployments", " services", "discovery.k8s.io endpointslices", " endpoints",
            "apps replicasets", "rbac.authorization.k8s.io roles");

    @TempDir
    Path tmp;

    @Test
    void defaultValuesInstallAndEveryRenderedObjectIsStored() {
        String release = release();

        Release installed = install(release);

        assertThat(installed.getStatus()).isEqualTo("deployed");
        Rendered manifest = installedManifest(release);
        assertThat(manifest.identities()).as("what Helm applied is what helm template renders for this release")
                .isEqualTo(HelmChart.template(release, kube.namespace()).identities());
        for (HasMetadata object : manifest.objects()) {
            assertThat(kube.client().resource(object).get())
                    .as("%s is stored", HelmChart.identity(object)).isNotNull();
        }
        assertThat(kube.client().rbac().clusterRoles().withName(release + "-operator").get()).isNotNull();
    }

    @Test
    void customValuesInstallWithTheAutoscalingAndPolicyVersionsThisServerServes() {
        String release = release();
        List<String> watched = namespaces("a", "b");
        assertThat(kube.client().getApiGroup("autoscaling").getVersions()).extracting(v -> v.getVersion())
                .as("premise: a 1.20 server has no autoscaling/v2").doesNotContain("v2").contains("v2beta2");
        assertThat(kube.client().getApiGroup("policy").getVersions()).extracting(v -> v.getVersion())
                .as("premise: a 1.20 server has no policy/v1").doesNotContain("v1").contains("v1beta1");

        Release installed = install(release, HelmChart.valuesFile("custom-values.yaml"), watch(watched));

        assertThat(installed.getStatus()).isEqualTo("deployed");
        Rendered manifest = installedManifest(release);
        assertThat(manifest.one(HorizontalPodAutoscaler.class, release + "-proxy").getApiVersion())
                .as("picked through .Capabilities.APIVersions").isEqualTo("autoscaling/v2beta2");
        assertThat(manifest.one(PodDisruptionBudget.class, release + "-proxy").getApiVersion()).isEqualTo("policy/v1beta1");
        assertThat(kube.client().autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(kube.namespace())
                .withName(release + "-proxy").get().getSpec().getMaxReplicas()).isEqualTo(12);
        assertThat(kube.client().resources(PodDisruptionBudget.class).inNamespace(kube.namespace())
                .withName(release + "-proxy").get().getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        for (HasMetadata object : manifest.objects()) {
            assertThat(kube.client().resource(object).get())
                    .as("%s is stored", HelmChart.identity(object)).isNotNull();
        }
        assertThat(manifest.all(ClusterRole.class)).isEmpty();
        assertThat(manifest.all(Role.class)).extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder(watched.get(0), watched.get(0), watched.get(1), watched.get(1), kube.namespace(), kube.namespace(),
                        kube.namespace(), kube.namespace());
    }

    @Test
    void clusterWideInstallGrantsEachServiceAccountExactlyItsPermissions() {
        String release = release();
        install(release);
        String elsewhere = namespaces("x").getFirst();

        assertThat(allowed(serviceAccount(release + "-operator"), elsewhere))
                .as("operator in %s: no lease rights without leader election", elsewhere).isEqualTo(OPERATOR_PERMISSIONS);
        assertThat(allowed(serviceAccount(release + "-proxy"), elsewhere))
                .as("proxy in %s: read Workspaces and EndpointSlices, nothing else, never secrets", elsewhere).isEqualTo(PROXY_PERMISSIONS);
        assertThat(allowed(serviceAccount(release + "-operator"), kube.namespace()))
                .as("operator in the release namespace: activity Leases read, no leader Lease without leader election")
                .isEqualTo(union(OPERATOR_PERMISSIONS, OPERATOR_ACTIVITY_PERMISSIONS));
        assertThat(allowed(serviceAccount(release + "-proxy"), kube.namespace()))
                .as("proxy in the release namespace: its activity Leases written, never read, never secrets")
                .isEqualTo(union(PROXY_PERMISSIONS, PROXY_ACTIVITY_PERMISSIONS));
        assertThat(allowed(serviceAccount("nobody"), kube.namespace()))
                .as("control: an unbound ServiceAccount may do nothing, so the server really authorizes with RBAC").isEmpty();
    }

    @Test
    void namespacedInstallGrantsNothingOutsideTheWatchedNamespacesAndLeasesOnlyInItsOwn() {
        String release = release();
        List<String> namespaces = namespaces("a", "b", "unwatched");
        List<String> watched = namespaces.subList(0, 2);
        install(release, HelmChart.valuesFile("custom-values.yaml"), watch(watched));
        String operator = serviceAccount(release + "-operator");
        String proxy = serviceAccount(release + "-proxy");

        for (String namespace : watched) {
            assertThat(allowed(operator, namespace)).as("operator in watched %s", namespace).isEqualTo(OPERATOR_PERMISSIONS);
            assertThat(allowed(proxy, namespace)).as("proxy in watched %s", namespace).isEqualTo(PROXY_PERMISSIONS);
        }
        assertThat(allowed(operator, kube.namespace())).as("operator in its own (release) namespace: Leases only")
                .isEqualTo(union(LEADER_ELECTION_PERMISSIONS, OPERATOR_ACTIVITY_PERMISSIONS));
        assertThat(allowed(proxy, kube.namespace())).as("proxy in the release namespace: activity Leases only").isEqualTo(PROXY_ACTIVITY_PERMISSIONS);
        assertThat(allowed(operator, namespaces.get(2))).as("operator in an unwatched namespace").isEmpty();
        assertThat(allowed(proxy, namespaces.get(2))).as("proxy in an unwatched namespace").isEmpty();
        assertThat(allowed(operator, "")).as("operator across all namespaces").isEmpty();
        assertThat(allowed(proxy, "")).as("proxy across all namespaces").isEmpty();
    }

    @Test
    void theProxyReadsTheEndpointsOfItsOwnServiceAndNoOthers() {
        String release = release();
        install(release);
        String proxy = serviceAccount(release + "-proxy");
        String elsewhere = namespaces("x").getFirst();

        for (String verb : VERBS) {
            boolean reads = List.of("get", "list", "watch").contains(verb);
            assertThat(endpointsAllowed(proxy, kube.namespace(), release + "-proxy", verb)).as("%s its own Service's Endpoints", verb)
                    .isEqualTo(reads);
            assertThat(endpointsAllowed(proxy, kube.namespace(), release + "-operator", verb)).as("%s another Service's", verb).isFalse();
            assertThat(endpointsAllowed(proxy, elsewhere, release + "-proxy", verb)).as("%s in another namespace", verb).isFalse();
        }
        assertThat(endpointsAllowed(proxy, kube.namespace(), null, "list")).as("list every Endpoints").isFalse();
    }

    private static boolean endpointsAllowed(String user, String namespace, String name, String verb) {
        SubjectAccessReview review = kube.client().authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec().withUser(user)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + kube.namespace(), "system:authenticated")
                .withNewResourceAttributes().withNamespace(namespace).withResource("endpoints").withName(name).withVerb(verb)
                .endResourceAttributes().endSpec().build());
        return Boolean.TRUE.equals(review.getStatus().getAllowed());
    }

    @Test
    void leaderElectionInstallAddsLeaseRightsInTheReleaseNamespaceOnly() {
        String release = release();
        String elsewhere = namespaces("x").getFirst();
        install(release, HelmChart.valuesFile(tmp, "operator: {leaderElection: true}\n"));
        String operator = serviceAccount(release + "-operator");

        assertThat(allowed(operator, kube.namespace())).isEqualTo(union(OPERATOR_PERMISSIONS, LEADER_ELECTION_PERMISSIONS,
                OPERATOR_ACTIVITY_PERMISSIONS));
        assertThat(allowed(operator, elsewhere)).isEqualTo(OPERATOR_PERMISSIONS);
    }

    /**
     * Not only what SubjectAccessReview predicts: real requests made as each ServiceAccount
     * (impersonated by the admin) are refused or served accordingly.
     */
    @Test
    void requestsMadeAsTheServiceAccountsAreRefusedOrServedAccordingly() {
        String release = release();
        install(release);
        String ns = kube.namespace();
        Workspace ws = new Workspace();
        ws.getMetadata().setName("researcher");
        ws.setSpec(new WorkspaceSpec());
        ws.getSpec().setUrl("http://researcher:8000/a2a");
        kube.client().resource(ws).inNamespace(ns).create();
        kube.client().resource(new SecretBuilder().withNewMetadata().withName("researcher-token").endMetadata()
                .addToStringData("token", "s3cret").build()).inNamespace(ns).create();

        try (KubernetesClient proxy = as(release + "-proxy"); KubernetesClient operator = as(release + "-operator")) {
            assertThat(proxy.resources(Workspace.class).inNamespace(ns).list().getItems()).hasSize(1);
            assertForbidden(() -> proxy.secrets().inNamespace(ns).withName("researcher-token").get());
            assertForbidden(() -> proxy.secrets().inNamespace(ns).list());
            assertForbidden(() -> proxy.resources(Workspace.class).inNamespace(ns).withName("researcher")
                    .edit(w -> { w.getSpec().setUrl("http://evil:8000/a2a"); return w; }));

            Workspace mine = operator.resources(Workspace.class).inNamespace(ns).withName("researcher").get();
            mine.setStatus(new WorkspaceStatus());
            mine.getStatus().setPhase(WorkspacePhase.Online);
            operator.resource(mine).inNamespace(ns).patchStatus();
            assertThat(kube.client().resources(Workspace.class).inNamespace(ns).withName("researcher").get()
                    .getStatus().getPhase()).as("the operator writes status").isEqualTo(WorkspacePhase.Online);
            assertForbidden(() -> operator.resources(Workspace.class).inNamespace(ns).withName("researcher")
                    .edit(w -> { w.getSpec().setUrl("http://elsewhere:8000/a2a"); return w; }));
            assertForbidden(() -> operator.resources(Workspace.class).inNamespace(ns).withName("researcher").delete());

            Secret token = operator.secrets().inNamespace(ns).withName("researcher-token").get();
            assertThat(token).as("the operator reads token Secrets").isNotNull();
            operator.resource(new SecretBuilder().withNewMetadata().withName("other-token").endMetadata()
                    .addToStringData("token", "t").build()).inNamespace(ns).create();
            operator.secrets().inNamespace(ns).withName("researcher-token").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"data\": {\"token\": \"cmVwYWlyZWQ=\"}}");
            assertThat(kube.client().secrets().inNamespace(ns).withName("researcher-token").get().getData())
                    .as("the operator patches a token into a Secret that lost it").containsEntry("token", "cmVwYWlyZWQ=");
            assertForbidden(() -> operator.resource(new SecretBuilder(token).withData(Map.of("token", "b3RoZXI=")).build())
                    .inNamespace(ns).update());
            assertForbidden(() -> operator.secrets().inNamespace(ns).withName("researcher-token").delete());

            // A provisioned workspace's runtime: the operator makes and keeps it; the proxy only reads where its pods are.
            operator.resource(new DeploymentBuilder().withNewMetadata().withName("researcher").endMetadata().withNewSpec()
                    .withNewSelector().addToMatchLabels("app", "r").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "r").endMetadata()
                    .withNewSpec().addNewContainer().withName("agent").withImage("agent:1").endContainer().endSpec().endTemplate()
                    .endSpec().build()).inNamespace(ns).create();
            operator.apps().deployments().inNamespace(ns).withName("researcher").edit(d -> { d.getSpec().setReplicas(0); return d; });
            operator.resource(new ServiceBuilder().withNewMetadata().withName("researcher").endMetadata().withNewSpec()
                    .addNewPort().withName("a2a").withPort(8000).endPort().endSpec().build()).inNamespace(ns).create();
            assertThat(operator.apps().deployments().inNamespace(ns).withName("researcher").get().getSpec().getReplicas()).isZero();
            assertThat(operator.services().inNamespace(ns).withName("researcher").get()).isNotNull();
            assertForbidden(() -> operator.pods().inNamespace(ns).list());
            assertForbidden(() -> operator.apps().replicaSets().inNamespace(ns).list());

            kube.client().resource(new EndpointSliceBuilder().withNewMetadata()
                    .withName("researcher-1").addToLabels("kubernetes.io/service-name", "researcher").endMetadata()
                    .withAddressType("IPv4").addNewEndpoint().withAddresses("10.0.0.7").endEndpoint().build()).inNamespace(ns).create();
            assertThat(proxy.discovery().v1beta1().endpointSlices().inNamespace(ns).withLabel("kubernetes.io/service-name", "researcher")
                    .list().getItems()).as("the proxy reads EndpointSlices").hasSize(1);
            assertForbidden(() -> proxy.discovery().v1beta1().endpointSlices().inNamespace(ns).withName("researcher-1").delete());
            assertForbidden(() -> proxy.services().inNamespace(ns).list());
            assertForbidden(() -> proxy.apps().deployments().inNamespace(ns).list());
            assertForbidden(() -> proxy.pods().inNamespace(ns).list());

            operator.apps().deployments().inNamespace(ns).withName("researcher").delete();
        }
        assertThat(kube.client().resources(Workspace.class).inNamespace(ns).withName("researcher").get().getSpec().getUrl())
                .as("spec untouched").isEqualTo("http://researcher:8000/a2a");
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** A release name unique on this API server (ClusterRoles are cluster-wide); it contains "tether", so it is the prefix. */
    private static String release() {
        String ns = kube.namespace();
        return "tether-" + ns.substring(ns.length() - 6);
    }

    private Release install(String release, Path... valuesFiles) {
        InstallCommand install = HelmChart.helm().install().withName(release).withNamespace(kube.namespace())
                .withKubeConfigContents(kube.kubeconfig())
                .skipCrds(); // RealKubeApi installed the Workspace CRD from the same generated file
        for (Path values : valuesFiles) {
            install = install.withValuesFile(values);
        }
        return install.call();
    }

    /** Namespaces named after the test's, created now. */
    private static List<String> namespaces(String... suffixes) {
        return Arrays.stream(suffixes).map(s -> {
            String name = kube.namespace() + "-" + s;
            kube.client().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
            return name;
        }).toList();
    }

    /** Values that watch these namespaces; ServiceMonitor off (no Prometheus Operator CRDs on this server). */
    private Path watch(List<String> namespaces) {
        return HelmChart.valuesFile(tmp, """
                watchNamespaces: [%s]
                metrics: {serviceMonitor: {enabled: false}}
                """.formatted(String.join(", ", namespaces)));
    }

    /** The manifest Helm applied, read from its release Secret (base64 of gzip of JSON, inside the Secret's base64). */
    private static Rendered installedManifest(String release) {
        Secret secret = kube.client().secrets().inNamespace(kube.namespace()).withName("sh.helm.release.v1." + release + ".v1").get();
        assertThat(secret).as("Helm's release record").isNotNull();
        byte[] gzipped = Base64.getDecoder().decode(Base64.getDecoder().decode(secret.getData().get("release")));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            JsonNode record = new ObjectMapper().readTree(in);
            return Rendered.parse(record.get("manifest").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String serviceAccount(String name) {
        return "system:serviceaccount:" + kube.namespace() + ":" + name;
    }

    /**
     * Every "group resource verb" that SubjectAccessReview allows the user in the namespace (empty
     * namespace: across all namespaces), over {@link #RESOURCES} x {@link #VERBS}.
     */
    private static Set<String> allowed(String user, String namespace) {
        String serviceAccountNamespace = user.split(":")[2];
        Set<String> allowed = new TreeSet<>();
        for (String groupResource : RESOURCES) {
            String group = groupResource.substring(0, groupResource.indexOf(' '));
            String[] resource = groupResource.substring(groupResource.indexOf(' ') + 1).split("/");
            for (String verb : VERBS) {
                SubjectAccessReview review = kube.client().authorization().v1().subjectAccessReview().create(
                        new SubjectAccessReviewBuilder().withNewSpec()
                                .withUser(user)
                                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + serviceAccountNamespace, "system:authenticated")
                                .withNewResourceAttributes()
                                .withNamespace(namespace).withGroup(group).withResource(resource[0])
                                .withSubresource(resource.length > 1 ? resource[1] : null).withVerb(verb)
                                .endResourceAttributes()
                                .endSpec().build());
                if (Boolean.TRUE.equals(review.getStatus().getAllowed())) {
                    allowed.addAll(grant(group, String.join("/", resource), verb));
                }
            }
        }
        return allowed;
    }

    /** A client that impersonates one of the release's ServiceAccounts. */
    private static KubernetesClient as(String serviceAccountName) {
        Config config = new ConfigBuilder(Config.fromKubeconfig(kube.kubeconfig()))
                .withImpersonateUsername(serviceAccount(serviceAccountName))
                .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + kube.namespace(), "system:authenticated")
                .build();
        return KubeClients.forConfig(config);
    }

    private static void assertForbidden(ThrowingCallable request) {
        assertThatThrownBy(request).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
    }
}
