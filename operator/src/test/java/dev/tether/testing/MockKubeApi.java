package dev.tether.testing;

import dev.tether.embedded.MergePatchConformingDispatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh mock Kubernetes API (CRUD mode, Workspace CRD installed) for each test, reached through
 * the production client factory. It records every request so tests can count writes.
 *
 * <pre>{@code @RegisterExtension final MockKubeApi kube = new MockKubeApi();}</pre>
 */
public final class MockKubeApi implements KubeTier, BeforeEachCallback, AfterEachCallback {
    /** One request as the API server saw it. */
    public record Request(String method, String path, String body) {
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private EmbeddedCluster cluster;

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster = new EmbeddedCluster(new RecordingDispatcher(requests), true);
        requests.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public KubernetesClient client() {
        return cluster.client();
    }

    /** Where mock-tier contract tests keep their Workspaces: each test has a fresh API, so one name serves all. */
    @Override
    public String namespace() {
        return "team-a";
    }

    /** Takes the API away until the returned handle is closed; the stored resources survive, as etcd's would. */
    public AutoCloseable outage() {
        return cluster.outage();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public long count(Predicate<Request> which) {
        return requests.stream().filter(which).count();
    }

    /** PATCH requests to the status subresource of one Workspace. */
    public long statusPatches(String namespace, String name) {
        String path = "/apis/tether.dev/v1alpha1/namespaces/" + namespace + "/workspaces/" + name + "/status";
        return count(r -> r.method().equals("PATCH") && r.path().startsWith(path));
    }

    private static final class RecordingDispatcher extends MergePatchConformingDispatcher {
        private final List<Request> sink;

        RecordingDispatcher(List<Request> sink) {
            this.sink = sink;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            // getBytes() peeks; reading the body would consume it before the CRUD store sees it.
            byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
            sink.add(new Request(request.getMethod(), request.getPath(), new String(body, StandardCharsets.UTF_8)));
            return super.dispatch(request);
        }
    }
}
