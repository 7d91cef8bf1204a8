package dev.tether.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.tether.testing.RepoFiles;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The chart under helm/tether, rendered with the Helm 3 library that helm-java embeds, as typed objects. */
final class HelmChart {
    static final Path DIR = RepoFiles.path("helm/tether");
    static final String RELEASE = "rel";
    static final String NAMESPACE = "tether-system";

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private HelmChart() {
    }

    static Helm helm() {
        return new Helm(DIR);
    }

    /** A values file from src/test/resources/dev/tether/chart. */
    static Path valuesFile(String name) {
        try {
            return Path.of(HelmChart.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test values file " + name + " not found", e);
        }
    }

    /** A values file written from YAML text, for values only known at run time (namespaces). */
    static Path valuesFile(Path dir, String yaml) {
        try {
            return Files.writeString(Files.createTempFile(dir, "values-", ".yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm template rel helm/tether -n tether-system --skip-crds -f ...} with client-side capabilities. */
    static Rendered template(Path... valuesFiles) {
        return template(RELEASE, NAMESPACE, valuesFiles);
    }

    static Rendered template(String release, String namespace, Path... valuesFiles) {
        TemplateCommand template = helm().template().withName(release).withNamespace(namespace).skipCrds();
        for (Path values : valuesFiles) {
            template = template.withValuesFile(values);
        }
        return Rendered.parse(template.call());
    }

    /** A rendered release: every manifest parsed into fabric8's typed model (unknown kinds stay generic). */
    record Rendered(String yaml, List<HasMetadata> objects) {
        static Rendered parse(String yaml) {
            List<HasMetadata> objects = new ArrayList<>();
            for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
                if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                    continue;
                }
                KubernetesResource resource = Serialization.unmarshal(document);
                assertThat(resource).as("every rendered document is a Kubernetes object:%n%s", document).isInstanceOf(HasMetadata.class);
                objects.add((HasMetadata) resource);
            }
            return new Rendered(yaml, List.copyOf(objects));
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            List<T> matches = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
            assertThat(matches).as("exactly one %s named %s", type.getSimpleName(), name).hasSize(1);
            return matches.getFirst();
        }

        /** "Kind/namespace/name" of every object, for asserting the exact set a values file produces. */
        Set<String> identities() {
            return objects.stream().map(HelmChart::identity).collect(Collectors.toCollection(TreeSet::new));
        }

        Deployment deployment(String role) {
            return one(Deployment.class, RELEASE + "-tether-" + role);
        }

        Container container(String role) {
            List<Container> containers = deployment(role).getSpec().getTemplate().getSpec().getContainers();
            assertThat(containers).hasSize(1);
            return containers.getFirst();
        }

        /** The container's environment as name → value, in order; a duplicate name fails. */
        Map<String, String> env(String role) {
            Map<String, String> env = new LinkedHashMap<>();
            container(role).getEnv().forEach(e -> assertThat(env.put(e.getName(), e.getValue()))
                    .as("%s env %s set once", role, e.getName()).isNull());
            return env;
        }
    }

    static String identity(HasMetadata o) {
        String namespace = o.getMetadata().getNamespace();
        return o.getKind() + "/" + (namespace == null ? "" : namespace + "/") + o.getMetadata().getName();
    }

    /** RBAC rules flattened to "group resource verb" triples, so rule order and grouping do not matter. */
    static Set<String> permissions(Collection<PolicyRule> rules) {
        Set<String> triples = new TreeSet<>();
        for (PolicyRule rule : rules) {
            assertThat(rule.getResourceNames()).as("no resourceNames in %s", rule).isNullOrEmpty();
            assertThat(rule.getNonResourceURLs()).as("no non-resource URLs in %s", rule).isNullOrEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        triples.add(group + " " + resource + " " + verb);
                    }
                }
            }
        }
        return triples;
    }

    /** Triples for one group and resource: {@code grant("", "secrets", "get", "list")}. */
    static Set<String> grant(String group, String resource, String... verbs) {
        return Arrays.stream(verbs).map(v -> group + " " + resource + " " + v).collect(Collectors.toCollection(TreeSet::new));
    }

    @SafeVarargs
    static Set<String> union(Set<String>... sets) {
        Set<String> all = new TreeSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }

    /** What the operator may do in a watched namespace (or cluster-wide). */
    static final Set<String> OPERATOR_PERMISSIONS = union(
            grant("tether.dev", "workspaces", "get", "list", "watch"),
            grant("tether.dev", "workspaces/status", "get", "patch"),
            grant("", "secrets", "get", "list", "watch", "create", "patch"),
            grant("apps", "deployments", "get", "list", "watch", "create", "update", "patch", "delete"),
            grant("", "services", "get", "list", "watch", "create", "update", "patch", "delete"),
            grant("", "events", "get", "create", "patch"));

    /** What the operator may do in the release namespace when it elects a leader. */
    static final Set<String> LEADER_ELECTION_PERMISSIONS = grant("coordination.k8s.io", "leases", "get", "create", "update");

    /** What the proxy may do with activity Leases, in the release namespace: write its own, never read any. */
    static final Set<String> PROXY_ACTIVITY_PERMISSIONS = grant("coordination.k8s.io", "leases", "create", "patch", "delete");

    /** What the operator may do with activity Leases, in the release namespace: read them, delete long-expired ones. */
    static final Set<String> OPERATOR_ACTIVITY_PERMISSIONS = grant("coordination.k8s.io", "leases", "get", "list", "watch", "delete");

    /** What the proxy may do: read Workspaces and EndpointSlices, nothing else. */
    static final Set<String> PROXY_PERMISSIONS = union(
            grant("tether.dev", "workspaces", "get", "list", "watch"),
            grant("discovery.k8s.io", "endpointslices", "get", "list", "watch"));
}
