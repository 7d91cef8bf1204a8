package dev.tether.chart;

import static dev.tether.chart.HelmChart.LEADER_ELECTION_PERMISSIONS;
import static dev.tether.chart.HelmChart.NAMESPACE;
import static dev.tether.chart.HelmChart.OPERATOR_ACTIVITY_PERMISSIONS;
import static dev.tether.chart.HelmChart.OPERATOR_PERMISSIONS;
import static dev.tether.chart.HelmChart.PROXY_ACTIVITY_PERMISSIONS;
import static dev.tether.chart.HelmChart.PROXY_PERMISSIONS;
import static dev.tether.chart.HelmChart.RELEASE;
import static dev.tether.chart.HelmChart.permissions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.marcnuri.helm.LintResult;
import dev.tether.Tether;
import dev.tether.chart.HelmChart.Rendered;
import dev.tether.cli.ProxyCommand;
import dev.tether.config.DurationConverter;
import dev.tether.policy.PolicySettings;
import dev.tether.testing.RepoFiles;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The Helm chart, linted and rendered by Helm 3 itself (helm-java) and read back as typed objects:
 * what each values file produces, down to the RBAC verbs, the security context and every setting
 * that reaches the containers.
 */
class ChartTest {
    private static final String OPERATOR = RELEASE + "-tether-operator";
    private static final String PROXY = RELEASE + "-tether-proxy";
    private static final Path CUSTOM = HelmChart.valuesFile("custom-values.yaml");

    @TempDir
    Path tmp;

    @Test
    void lintPassesStrictly() {
        LintResult result = HelmChart.helm().lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
    }

    @Test
    void defaultValuesRenderBothRolesWithClusterWideReadAccessAndNothingOptional() {
        Rendered chart = HelmChart.template();

        assertThat(chart.identities()).containsExactlyInAnyOrder(
                "ServiceAccount/tether-system/" + OPERATOR, "ServiceAccount/tether-system/" + PROXY,
                "ClusterRole/" + OPERATOR, "ClusterRole/" + PROXY,
                "ClusterRoleBinding/" + OPERATOR, "ClusterRoleBinding/" + PROXY,
                "Role/tether-system/" + PROXY + "-peers", "RoleBinding/tether-system/" + PROXY + "-peers",
                "Role/tether-system/" + PROXY + "-activity", "RoleBinding/tether-system/" + PROXY + "-activity",
                "Role/tether-system/" + OPERATOR + "-activity", "RoleBinding/tether-system/" + OPERATOR + "-activity",
                "Service/tether-system/" + OPERATOR, "Service/tether-system/" + PROXY,
                "Deployment/tether-system/" + OPERATOR, "Deployment/tether-system/" + PROXY);
        assertThat(chart.deployment("operator").getSpec().getReplicas()).isEqualTo(1);
        assertThat(chart.deployment("proxy").getSpec().getReplicas()).isEqualTo(2);
        assertThat(chart.env("operator")).containsEntry("TETHER_LEADER_ELECTION", "false");
        assertThat(chart.container("operator").getImage()).isEqualTo("tether:" + System.getProperty("tether.version"));
    }

    @Test
    void chartAppVersionIsTheMavenVersionSoTheDefaultImageTagIsTheBuiltImage() {
        Matcher appVersion = Pattern.compile("(?m)^appVersion: \"([^\"]+)\"$").matcher(RepoFiles.read("helm/tether/Chart.yaml"));

        assertThat(System.getProperty("tether.version")).as("surefire passes the project version").isNotBlank();
        assertThat(appVersion.find()).as("Chart.yaml has a quoted appVersion").isTrue();
        assertThat(appVersion.group(1)).isEqualTo(System.getProperty("tether.version"));
    }

    @Test
    void clusterRbacGrantsExactlyTheLeastPrivilegeSets() {
        Rendered chart = HelmChart.template();

        assertThat(permissions(chart.one(ClusterRole.class, OPERATOR).getRules())).isEqualTo(OPERATOR_PERMISSIONS);
        assertThat(permissions(chart.one(ClusterRole.class, PROXY).getRules())).isEqualTo(PROXY_PERMISSIONS);
        assertThat(chart.one(ClusterRole.class, PROXY).getRules())
                .as("the proxy never touches secrets")
                .noneSatisfy(rule -> assertThat(rule.getResources()).anySatisfy(r -> assertThat(r).contains("secret")));
        Map<String, Role> roles = chart.all(Role.class).stream().collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r));
        assertThat(roles).as("no leader election, no leader Lease role; the proxy reads its own Service's Endpoints and writes activity"
                + " Leases, which the operator reads").containsOnlyKeys(PROXY + "-peers", PROXY + "-activity", OPERATOR + "-activity");
        assertThat(roles.get(PROXY + "-peers").getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("endpoints");
            assertThat(rule.getResourceNames()).containsExactly(PROXY);
            assertThat(rule.getVerbs()).containsExactly("get", "list", "watch");
        });
        assertThat(permissions(roles.get(PROXY + "-activity").getRules())).isEqualTo(PROXY_ACTIVITY_PERMISSIONS);
        assertThat(permissions(roles.get(OPERATOR + "-activity").getRules())).isEqualTo(OPERATOR_ACTIVITY_PERMISSIONS);
        for (String role : List.of(PROXY + "-activity", OPERATOR + "-activity")) {
            RoleBinding binding = chart.all(RoleBinding.class).stream().filter(b -> b.getMetadata().getName().equals(role)).findFirst().orElseThrow();
            assertBinding(binding.getRoleRef(), binding.getSubjects(), "Role", role);
        }
        assertBinding(chart.one(ClusterRoleBinding.class, OPERATOR).getRoleRef(),
                chart.one(ClusterRoleBinding.class, OPERATOR).getSubjects(), "ClusterRole", OPERATOR);
        assertBinding(chart.one(ClusterRoleBinding.class, PROXY).getRoleRef(),
                chart.one(ClusterRoleBinding.class, PROXY).getSubjects(), "ClusterRole", PROXY);
    }

    @Test
    void watchNamespacesSwitchesToARolePerWatchedNamespaceAndNoClusterPermissions() {
        Rendered chart = HelmChart.template(CUSTOM);

        assertThat(chart.all(ClusterRole.class)).isEmpty();
        assertThat(chart.all(ClusterRoleBinding.class)).isEmpty();
        for (String namespace : List.of("team-a", "team-b")) {
            for (String role : List.of("operator", "proxy")) {
                String name = RELEASE + "-tether-" + role;
                Role rbac = chart.all(Role.class).stream()
                        .filter(r -> r.getMetadata().getName().equals(name) && namespace.equals(r.getMetadata().getNamespace()))
                        .findFirst().orElseThrow(() -> new AssertionError("no Role " + name + " in " + namespace));
                RoleBinding binding = chart.all(RoleBinding.class).stream()
                        .filter(b -> b.getMetadata().getName().equals(name) && namespace.equals(b.getMetadata().getNamespace()))
                        .findFirst().orElseThrow(() -> new AssertionError("no RoleBinding " + name + " in " + namespace));
                assertThat(permissions(rbac.getRules())).as("%s in %s", role, namespace)
                        .isEqualTo(role.equals("operator") ? OPERATOR_PERMISSIONS : PROXY_PERMISSIONS);
                assertBinding(binding.getRoleRef(), binding.getSubjects(), "Role", name);
            }
        }
        assertThat(chart.all(Role.class)).extracting(r -> r.getMetadata().getNamespace())
                .as("Roles only in watched namespaces, plus the Lease role in the release namespace")
                .containsOnly("team-a", "team-b", NAMESPACE);
        assertThat(chart.env("operator")).containsEntry("TETHER_NAMESPACES", "team-a,team-b")
                .as("a bare name resolves in the first watched namespace").containsEntry("TETHER_DEFAULT_NAMESPACE", "team-a");
        assertThat(chart.env("proxy")).containsEntry("TETHER_NAMESPACES", "team-a,team-b");
    }

    @Test
    void severalOperatorReplicasForceLeaderElectionWithALeaseRoleInTheReleaseNamespace() {
        Rendered chart = HelmChart.template(CUSTOM);

        assertThat(chart.deployment("operator").getSpec().getReplicas()).isEqualTo(3);
        assertThat(chart.env("operator")).as("leaderElection: false in the values, forced on by replicas: 3")
                .containsEntry("TETHER_LEADER_ELECTION", "true");
        String name = OPERATOR + "-leader-election";
        Role lease = chart.one(Role.class, name);
        assertThat(lease.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(permissions(lease.getRules())).isEqualTo(LEADER_ELECTION_PERMISSIONS);
        RoleBinding binding = chart.one(RoleBinding.class, name);
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertBinding(binding.getRoleRef(), binding.getSubjects(), "Role", name);
    }

    @ParameterizedTest(name = "replicas {0}, leaderElection {1} -> {2}")
    @CsvSource({"1, false, false", "1, true, true", "2, false, true", "5, true, true"})
    void leaderElectionIsOnWhenAskedOrWhenThereIsMoreThanOneReplica(int replicas, boolean asked, boolean expected) {
        Rendered chart = HelmChart.template(HelmChart.valuesFile(tmp, """
                operator:
                  replicas: %d
                  leaderElection: %s
                """.formatted(replicas, asked)));

        assertThat(chart.env("operator")).containsEntry("TETHER_LEADER_ELECTION", String.valueOf(expected));
        assertThat(chart.all(Role.class)).filteredOn(r -> r.getMetadata().getName().endsWith("leader-election")).as("Lease role")
                .hasSize(expected ? 1 : 0);
        assertThat(chart.all(RoleBinding.class)).filteredOn(r -> r.getMetadata().getName().endsWith("leader-election"))
                .as("Lease role binding").hasSize(expected ? 1 : 0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"default", "custom"})
    void bothRolesRunNonRootWithAReadOnlyRootNoCapabilitiesAndAWritableTmp(String values) {
        Rendered chart = values.equals("default") ? HelmChart.template() : HelmChart.template(CUSTOM);

        for (String role : List.of("operator", "proxy")) {
            PodSpec pod = chart.deployment(role).getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
            assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(65532L);
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getServiceAccountName()).isEqualTo(RELEASE + "-tether-" + role);

            Container container = chart.container(role);
            assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(container.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(container.getSecurityContext().getPrivileged()).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(container.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
            assertThat(container.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

            assertThat(container.getVolumeMounts()).singleElement().satisfies(m -> {
                assertThat(m.getMountPath()).isEqualTo("/tmp");
                assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
                assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
                    assertThat(v.getName()).isEqualTo(m.getName());
                    assertThat(v.getEmptyDir()).as("an emptyDir, not a host path").isNotNull();
                });
            });
            assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).containsKey("memory");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"default, 8080, 8090", "custom, 9080, 9090"})
    void eachRoleServesItsApiProbesAndServiceOnItsOwnPort(String values, int operatorPort, int proxyPort) {
        Rendered chart = values.equals("default") ? HelmChart.template() : HelmChart.template(CUSTOM);

        for (var role : Map.of("operator", operatorPort, "proxy", proxyPort).entrySet()) {
            Container container = chart.container(role.getKey());
            assertThat(container.getArgs()).as("the role is the first argument").containsExactly(role.getKey());
            assertThat(container.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(role.getValue());
            });
            assertThat(chart.env(role.getKey())).containsEntry("TETHER_PORT", String.valueOf(role.getValue()));
            assertProbe(container.getLivenessProbe(), "/healthz");
            assertProbe(container.getStartupProbe(), "/healthz");
            assertProbe(container.getReadinessProbe(), "/readyz");

            Service service = chart.one(Service.class, RELEASE + "-tether-" + role.getKey());
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort()).isEqualTo(role.getValue());
                assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
            assertThat(service.getSpec().getSelector())
                    .as("the Service selects exactly this role's pods (every operator replica serves heartbeats)")
                    .isEqualTo(chart.deployment(role.getKey()).getSpec().getSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/component", role.getKey());
        }
    }

    @Test
    void everyCustomValueReachesTheContainers() {
        Rendered chart = HelmChart.template(CUSTOM);

        assertThat(chart.env("operator")).containsExactlyEntriesOf(ordered(
                "TETHER_PORT", "9080", "TETHER_NAMESPACES", "team-a,team-b", "TETHER_DEFAULT_NAMESPACE", "team-a",
                "TETHER_DEFAULT_IDLE_TIMEOUT", "10m", "TETHER_ACTIVITY_NAMESPACE", "tether-system", "TETHER_LOG_LEVEL", "DEBUG", "TETHER_LOG_FORMAT", "json",
                "JDK_JAVA_OPTIONS", "-Xmx300m", "TETHER_MIN_IDLE_TIMEOUT", "30s", "TETHER_MAX_IDLE_TIMEOUT", "4h",
                "TETHER_DEFAULT_MAX_DURATION", "45m", "TETHER_OFFLINE_AFTER", "5m", "TETHER_HEARTBEAT_STATUS_INTERVAL", "90s",
                "TETHER_LEADER_ELECTION", "true", "TETHER_PLATFORM_URL", "https://agents.example.com", "EXTRA", "operator-extra"));
        assertThat(chart.env("proxy")).containsExactlyEntriesOf(ordered(
                "TETHER_PORT", "9090", "TETHER_NAMESPACES", "team-a,team-b", "TETHER_DEFAULT_NAMESPACE", "team-a",
                "TETHER_DEFAULT_IDLE_TIMEOUT", "10m", "TETHER_ACTIVITY_NAMESPACE", "tether-system", "TETHER_LOG_LEVEL", "DEBUG", "TETHER_LOG_FORMAT", "json",
                "JDK_JAVA_OPTIONS", "-XX:+UseParallelGC -XX:MaxRAMPercentage=55 -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError",
                "TETHER_REGISTRY_URL", "http://rel-tether-operator.tether-system.svc:9080", "TETHER_EVENT_LOOPS", "3",
                "TETHER_TRUST_FORWARDED_HEADERS", "true", "TETHER_ALLOW_REGISTERED_NETWORKS", "10.0.0.0/8,fd00::/8", "TETHER_SSE_KEEPALIVE", "20s",
                "TETHER_PEER_SERVICE", "rel-tether-proxy", "TETHER_PEER_NAMESPACE", null, "TETHER_ADVERTISE_HOST", null,
                "TETHER_SHUTDOWN_GRACE", "115s"));
        assertThat(chart.container("proxy").getEnv()).filteredOn(e -> e.getValueFrom() != null)
                .map(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .contains("TETHER_PEER_NAMESPACE=metadata.namespace", "TETHER_ADVERTISE_HOST=status.podIP");
        for (String role : List.of("operator", "proxy")) {
            assertThat(chart.container(role).getImage()).isEqualTo("registry.example/tether:9.9.9");
            assertThat(chart.container(role).getImagePullPolicy()).isEqualTo("Always");
        }
        assertThat(chart.deployment("operator").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(45L);
        assertThat(chart.deployment("proxy").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(120L);
    }

    /**
     * The chart sets exactly the environment variables each role reads (the picocli options' env
     * fallbacks, plus logback's), so a renamed flag or a typo in the chart fails here, and the
     * defaults are a policy the operator accepts at start-up.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"operator", "proxy"})
    void chartSetsEveryEnvironmentVariableTheRoleReadsAndNoOther(String role) throws IOException {
        Rendered chart = HelmChart.template();
        Set<String> reads = new TreeSet<>(envVariablesOf(Tether.commandLine().getSubcommands().get(role)));
        try (InputStream logback = Tether.class.getResourceAsStream("/logback.xml")) {
            reads.addAll(envReferences(new String(logback.readAllBytes(), StandardCharsets.UTF_8)));
        }
        reads.add("JDK_JAVA_OPTIONS");

        assertThat(reads).as("sanity: the CLI was introspected").contains("TETHER_PORT", "TETHER_LOG_FORMAT", "TETHER_NAMESPACES");
        assertThat(chart.env(role).keySet()).containsExactlyInAnyOrderElementsOf(reads);

        Map<String, String> env = chart.env(role);
        env.forEach((name, value) -> {
            if (name.endsWith("_TIMEOUT") || name.endsWith("_DURATION") || name.endsWith("_AFTER")
                    || name.endsWith("_INTERVAL") || name.endsWith("_KEEPALIVE") || name.endsWith("_GRACE")) {
                assertThat(DurationConverter.parse(value)).as(name).isPositive();
            }
        });
        if (role.equals("operator")) {
            assertThat(new PolicySettings(DurationConverter.parse(env.get("TETHER_DEFAULT_IDLE_TIMEOUT")),
                    DurationConverter.parse(env.get("TETHER_MIN_IDLE_TIMEOUT")),
                    DurationConverter.parse(env.get("TETHER_MAX_IDLE_TIMEOUT")),
                    DurationConverter.parse(env.get("TETHER_DEFAULT_MAX_DURATION"))))
                    .as("the chart's defaults are the CLI's defaults").isEqualTo(PolicySettings.DEFAULTS);
        }
    }

    /** The canvas token reaches the proxy from a Secret through the kubelet; the proxy's RBAC still grants no Secret access. */
    @Test
    void canvasAuthPassesTheCanvasTokenFromASecretAndIsOffByDefault() {
        assertThat(HelmChart.template().env("proxy")).as("canvas calls are open by default").doesNotContainKey(ProxyCommand.CANVAS_TOKEN_ENV);

        Rendered chart = HelmChart.template(HelmChart.valuesFile(tmp, """
                proxy:
                  canvasAuth: {secretName: canvas-auth, key: bearer}
                """));

        EnvVar canvas = chart.container("proxy").getEnv().stream().filter(e -> e.getName().equals(ProxyCommand.CANVAS_TOKEN_ENV))
                .findFirst().orElseThrow();
        assertThat(canvas.getValue()).as("never inline").isNull();
        assertThat(canvas.getValueFrom().getSecretKeyRef().getName()).isEqualTo("canvas-auth");
        assertThat(canvas.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("bearer");
        assertThat(chart.env("operator")).doesNotContainKey(ProxyCommand.CANVAS_TOKEN_ENV);
        assertThat(permissions(chart.one(ClusterRole.class, PROXY).getRules())).isEqualTo(PROXY_PERMISSIONS);
    }

    @Test
    void autoscalerDisruptionBudgetAndServiceMonitorsAreOptIn() {
        Rendered defaults = HelmChart.template();
        assertThat(defaults.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(defaults.all(PodDisruptionBudget.class)).isEmpty();
        assertThat(defaults.all(GenericKubernetesResource.class)).as("no ServiceMonitor").isEmpty();
        for (String role : List.of("operator", "proxy")) {
            assertThat(defaults.deployment(role).getSpec().getTemplate().getMetadata().getAnnotations())
                    .as("without a ServiceMonitor, Prometheus finds the pods by annotation")
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", role.equals("operator") ? "8080" : "8090")
                    .containsEntry("prometheus.io/path", "/metrics");
        }

        Rendered chart = HelmChart.template(CUSTOM);
        HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class, PROXY);
        assertThat(hpa.getApiVersion()).as("helm template's default capabilities include autoscaling/v2").isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(PROXY);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(12);
        assertThat(hpa.getSpec().getMetrics()).extracting(MetricSpec::getType, m -> m.getResource().getName(),
                        m -> m.getResource().getTarget().getType(), m -> m.getResource().getTarget().getAverageUtilization())
                .containsExactly(tuple("Resource", "cpu", "Utilization", 60),
                        tuple("Resource", "memory", "Utilization", 80));
        assertThat(chart.deployment("proxy").getSpec().getReplicas())
                .as("the HPA owns the proxy's replica count, so helm upgrade does not reset it").isNull();

        PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class, PROXY);
        assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.deployment("proxy").getSpec().getSelector().getMatchLabels());

        List<GenericKubernetesResource> monitors = chart.all(GenericKubernetesResource.class);
        assertThat(monitors).extracting(HelmChart::identity).containsExactlyInAnyOrder(
                "ServiceMonitor/tether-system/" + OPERATOR, "ServiceMonitor/tether-system/" + PROXY);
        for (GenericKubernetesResource monitor : monitors) {
            String name = monitor.getMetadata().getName();
            assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
            assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
            Service service = chart.one(Service.class, name);
            Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
            assertThat(selector).as("selects this role's Service only").isEqualTo(service.getSpec().getSelector());
            assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
            assertThat(monitor.<String>get("spec", "endpoints", 0, "port")).isEqualTo("http");
            assertThat(monitor.<String>get("spec", "endpoints", 0, "path")).isEqualTo("/metrics");
            assertThat(monitor.<String>get("spec", "endpoints", 0, "interval")).isEqualTo("15s");
            assertThat(monitor.<List<String>>get("spec", "namespaceSelector", "matchNames")).containsExactly(NAMESPACE);
        }
        for (String role : List.of("operator", "proxy")) {
            assertThat(chart.deployment(role).getSpec().getTemplate().getMetadata().getAnnotations())
                    .as("a ServiceMonitor replaces the scrape annotations (no double scraping)")
                    .isNullOrEmpty();
        }
    }

    @Test
    void disruptionBudgetCanCapUnavailablePodsInstead() {
        Rendered chart = HelmChart.template(HelmChart.valuesFile(tmp, """
                proxy:
                  podDisruptionBudget: {enabled: true, maxUnavailable: 1}
                """));

        PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class, PROXY);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            policy: {defaultIdleTimeout: 5 minutes}                | policy.defaultIdleTimeout
            operator: {offlineAfter: 3}                            | operator.offlineAfter
            proxy: {sseKeepalive: 1.5s}                            | proxy.sseKeepalive
            logging: {format: xml}                                 | logging.format
            operator: {serviceAccount: {create: false}}            | operator.serviceAccount.name
            proxy: {autoscaling: {enabled: true, targetCPUUtilizationPercentage: null}} | proxy.autoscaling
            """)
    void invalidValuesFailTheRenderNamingTheValue(String values, String named) {
        Path file = HelmChart.valuesFile(tmp, values);

        assertThatThrownBy(() -> HelmChart.template(file)).hasMessageContaining(named);
    }

    @Test
    void resourcesAreRequestedAndMemoryIsBoundedByDefault() {
        Rendered chart = HelmChart.template();

        assertThat(chart.container("operator").getResources().getRequests())
                .containsEntry("cpu", new Quantity("100m")).containsEntry("memory", new Quantity("256Mi"));
        assertThat(chart.container("proxy").getResources().getRequests())
                .as("the HPA's CPU target is relative to this").containsEntry("cpu", new Quantity("200m"));
        for (String role : List.of("operator", "proxy")) {
            assertThat(chart.container(role).getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"));
        }
    }

    /**
     * values.yaml documents every value (a comment right above it, or above the block it belongs
     * to), and README.md's values table names every documented value.
     */
    @Test
    void everyValueIsDocumentedInValuesYamlAndInTheReadme() {
        List<String> undocumented = new ArrayList<>();
        List<String> documented = new ArrayList<>();
        walkValues(RepoFiles.read("helm/tether/values.yaml"), documented, undocumented);
        String readme = RepoFiles.read("README.md");

        assertThat(undocumented).as("values without a comment").isEmpty();
        assertThat(documented).as("sanity").contains("image.repository", "policy.defaultIdleTimeout", "proxy.autoscaling.enabled",
                "podSecurityContext", "watchNamespaces");
        assertThat(documented).allSatisfy(path -> assertThat(readme).as("README values table").contains("| `" + path + "` |"));
    }

    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9]*):(.*)$");

    /**
     * Walks values.yaml. A key whose comment block starts with "# --" is documented, and so is
     * everything nested below it (a Kubernetes object passed through, like resources); a leaf key
     * that is neither is undocumented. Plain "#" comments are section prose and document nothing.
     */
    private static void walkValues(String yaml, List<String> documented, List<String> undocumented) {
        record Level(int indent, String path, boolean documented) {
        }
        Deque<Level> stack = new ArrayDeque<>();
        String commentStart = null;
        for (String line : yaml.split("\n")) {
            if (line.trim().startsWith("#")) {
                commentStart = commentStart == null ? line : commentStart;
                continue;
            }
            Matcher key = KEY.matcher(line);
            if (key.matches()) {
                int indent = key.group(1).length();
                while (!stack.isEmpty() && stack.peek().indent() >= indent) {
                    stack.pop();
                }
                String path = (stack.isEmpty() ? "" : stack.peek().path() + ".") + key.group(2);
                boolean covered = stack.stream().anyMatch(Level::documented);
                boolean commented = commentStart != null && commentStart.startsWith(" ".repeat(indent) + "# --");
                if (!covered && commented) {
                    documented.add(path);
                } else if (!covered && !key.group(3).isBlank()) {
                    undocumented.add(path);
                }
                stack.push(new Level(indent, path, covered || commented));
            }
            commentStart = null;
        }
    }

    private static Set<String> envVariablesOf(CommandLine command) {
        Set<String> names = new TreeSet<>();
        command.setInterpolateVariables(false); // defaults as written: ${env:TETHER_PORT:-8080}
        command.getCommandSpec().options().forEach(o -> {
            if (o.defaultValue() != null) {
                names.addAll(envReferences(o.defaultValue()));
            }
        });
        return names;
    }

    private static Set<String> envReferences(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(?:env:)?(TETHER_[A-Z_]+)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static void assertBinding(RoleRef ref, List<Subject> subjects, String kind, String name) {
        assertThat(ref.getKind()).isEqualTo(kind);
        assertThat(ref.getName()).isEqualTo(name);
        assertThat(subjects).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).as("each role is bound to its own ServiceAccount")
                    .isEqualTo(name.replaceAll("-(leader-election|activity)$", ""));
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
    }
}
