package dev.tether.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents kubectl reads before anything else ({@code /version}, {@code /api}, {@code /api/v1},
 * {@code /apis}, {@code /apis/{group}/{version}}), which fabric8's mock server does not serve: the built-in kinds
 * Tether uses, plus every CRD stored in the embedded API. Pure: the CRDs come in, JSON goes out.
 */
final class ApiDiscovery {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** A built-in resource the embedded API stores like any other. */
    private record Builtin(String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {
    }

    private static final Map<String, List<Builtin>> BUILTIN = new LinkedHashMap<>();

    static {
        BUILTIN.put("v1", List.of(
                new Builtin("namespaces", "namespace", "Namespace", false, List.of("ns")),
                new Builtin("secrets", "secret", "Secret", true, List.of()),
                new Builtin("events", "event", "Event", true, List.of("ev")),
                new Builtin("services", "service", "Service", true, List.of("svc")),
                new Builtin("configmaps", "configmap", "ConfigMap", true, List.of("cm")),
                new Builtin("pods", "pod", "Pod", true, List.of("po")),
                new Builtin("serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"))));
        BUILTIN.put("apps/v1", List.of(new Builtin("deployments", "deployment", "Deployment", true, List.of("deploy"))));
        BUILTIN.put("coordination.k8s.io/v1", List.of(new Builtin("leases", "lease", "Lease", true, List.of())));
        BUILTIN.put("discovery.k8s.io/v1", List.of(new Builtin("endpointslices", "endpointslice", "EndpointSlice", true, List.of())));
        BUILTIN.put("apiextensions.k8s.io/v1", List.of(new Builtin("customresourcedefinitions", "customresourcedefinition",
                "CustomResourceDefinition", false, List.of("crd", "crds"))));
    }

    private ApiDiscovery() {
    }

    /** The document for {@code path}, or empty when the path is not a discovery path. */
    static Optional<JsonNode> document(String path, List<JsonNode> crds) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return switch (p) {
            case "/version" -> Optional.of(version());
            case "/api" -> Optional.of(coreVersions());
            case "/apis" -> Optional.of(groups(crds));
            case "/openapi/v3" -> Optional.of(openApiIndex(crds));
            default -> p.startsWith("/openapi/v3/") ? openApi(p.substring("/openapi/v3/".length()), crds) : resourceList(p, crds);
        };
    }

    /**
     * {@code /openapi/v3}: one document per group version. kubectl apply reads it to learn that the server validates
     * fields itself ({@code fieldValidation}); without it, kubectl falls back to a protobuf OpenAPI v2 download.
     */
    private static JsonNode openApiIndex(List<JsonNode> crds) {
        ObjectNode index = MAPPER.createObjectNode();
        ObjectNode paths = index.putObject("paths");
        for (String groupVersion : groupVersions(crds)) {
            String key = (groupVersion.contains("/") ? "apis/" : "api/") + groupVersion;
            paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key);
        }
        return index;
    }

    private static Optional<JsonNode> openApi(String key, List<JsonNode> crds) {
        String groupVersion = key.startsWith("apis/") ? key.substring("apis/".length()) : key.startsWith("api/") ? key.substring(4) : null;
        if (groupVersion == null || !groupVersions(crds).contains(groupVersion)) {
            return Optional.empty();
        }
        String group = groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
        String version = groupVersion.substring(groupVersion.indexOf('/') + 1);
        ObjectNode doc = MAPPER.createObjectNode().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes (Tether embedded API)").put("version", "v1.30.0");
        ObjectNode paths = doc.putObject("paths");
        JsonNode resources = resourceList(groupVersion.equals("v1") ? "/api/v1" : "/apis/" + groupVersion, crds).orElseThrow().path("resources");
        for (JsonNode r : resources) {
            if (r.path("name").asText().contains("/")) {
                continue;
            }
            String base = "/" + key + (r.path("namespaced").asBoolean() ? "/namespaces/{namespace}/" : "/") + r.path("name").asText();
            ObjectNode gvk = MAPPER.createObjectNode().put("group", group).put("version", version).put("kind", r.path("kind").asText());
            operation(paths.putObject(base), "post", gvk);
            ObjectNode item = paths.putObject(base + "/{name}");
            operation(item, "put", gvk);
            operation(item, "patch", gvk);
        }
        doc.putObject("components").putObject("schemas");
        return Optional.of(doc);
    }

    private static void operation(ObjectNode pathItem, String method, ObjectNode gvk) {
        ObjectNode op = pathItem.putObject(method);
        op.set("x-kubernetes-group-version-kind", gvk);
        op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query").putObject("schema").put("type", "string");
        op.putObject("responses").putObject("200").put("description", "OK");
    }

    private static List<String> groupVersions(List<JsonNode> crds) {
        List<String> all = new java.util.ArrayList<>(BUILTIN.keySet());
        for (JsonNode crd : crds) {
            crd.at("/spec/versions").forEach(v -> {
                String gv = crd.at("/spec/group").asText() + "/" + v.path("name").asText();
                if (!all.contains(gv)) {
                    all.add(gv);
                }
            });
        }
        return all;
    }

    private static JsonNode version() {
        return MAPPER.createObjectNode().put("major", "1").put("minor", "30").put("gitVersion", "v1.30.0-tether-embedded")
                .put("platform", "linux/amd64");
    }

    private static JsonNode coreVersions() {
        ObjectNode versions = MAPPER.createObjectNode().put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", "");
        return versions;
    }

    private static JsonNode groups(List<JsonNode> crds) {
        Map<String, List<String>> versions = new LinkedHashMap<>();
        BUILTIN.keySet().stream().filter(gv -> gv.contains("/"))
                .forEach(gv -> versions.computeIfAbsent(gv.substring(0, gv.indexOf('/')), g -> new java.util.ArrayList<>())
                        .add(gv.substring(gv.indexOf('/') + 1)));
        for (JsonNode crd : crds) {
            String group = crd.at("/spec/group").asText();
            crd.at("/spec/versions").forEach(v -> {
                List<String> list = versions.computeIfAbsent(group, g -> new java.util.ArrayList<>());
                if (!list.contains(v.path("name").asText())) {
                    list.add(v.path("name").asText());
                }
            });
        }
        ObjectNode doc = MAPPER.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = doc.putArray("groups");
        versions.forEach((group, names) -> {
            ObjectNode g = groups.addObject().put("name", group);
            ArrayNode list = g.putArray("versions");
            names.forEach(v -> list.addObject().put("groupVersion", group + "/" + v).put("version", v));
            g.putObject("preferredVersion").put("groupVersion", group + "/" + names.get(0)).put("version", names.get(0));
        });
        return doc;
    }

    private static Optional<JsonNode> resourceList(String path, List<JsonNode> crds) {
        String groupVersion;
        if (path.equals("/api/v1")) {
            groupVersion = "v1";
        } else if (path.startsWith("/apis/") && path.chars().filter(c -> c == '/').count() == 3) {
            groupVersion = path.substring("/apis/".length());
        } else {
            return Optional.empty();
        }
        ObjectNode doc = MAPPER.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
        ArrayNode resources = doc.putArray("resources");
        BUILTIN.getOrDefault(groupVersion, List.of()).forEach(b -> resource(resources, b.plural(), b.singular(), b.kind(), b.namespaced(),
                b.shortNames(), false));
        for (JsonNode crd : crds) {
            for (JsonNode v : crd.at("/spec/versions")) {
                if ((crd.at("/spec/group").asText() + "/" + v.path("name").asText()).equals(groupVersion)) {
                    JsonNode names = crd.at("/spec/names");
                    List<String> shortNames = new java.util.ArrayList<>();
                    names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
                    resource(resources, names.path("plural").asText(), names.path("singular").asText(), names.path("kind").asText(),
                            "Namespaced".equals(crd.at("/spec/scope").asText()), shortNames, v.at("/subresources/status").isObject());
                }
            }
        }
        return resources.isEmpty() && !BUILTIN.containsKey(groupVersion) ? Optional.empty() : Optional.of(doc);
    }

    private static void resource(ArrayNode resources, String plural, String singular, String kind, boolean namespaced,
            List<String> shortNames, boolean statusSubresource) {
        ObjectNode r = resources.addObject().put("name", plural).put("singularName", singular).put("namespaced", namespaced)
                .put("kind", kind);
        ArrayNode verbs = r.putArray("verbs");
        ALL_VERBS.forEach(verbs::add);
        if (!shortNames.isEmpty()) {
            ArrayNode names = r.putArray("shortNames");
            shortNames.forEach(names::add);
        }
        if (statusSubresource) {
            ObjectNode status = resources.addObject().put("name", plural + "/status").put("singularName", "").put("namespaced", namespaced)
                    .put("kind", kind);
            status.putArray("verbs").add("get").add("patch").add("update");
        }
    }
}
