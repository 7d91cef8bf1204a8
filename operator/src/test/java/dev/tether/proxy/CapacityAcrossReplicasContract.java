package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.activity.ActivityLease;
import dev.tether.api.WorkspaceId;
import dev.tether.proxy.routing.Rendezvous;
import dev.tether.testing.KubeTier;
import dev.tether.testing.LocalAddresses;
import dev.tether.testing.PrometheusText;
import dev.tether.testing.ReadySlices;
import dev.tether.testing.TierContract;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * maxConcurrentTasks across three proxy replicas: the replicas listed in their Service's Endpoints agree which one holds
 * a workspace's slots, the others relay task calls to it, so the limit holds however callers spread, and busy answers
 * come back through the relay. Runs on the mock API ({@link CapacityAcrossReplicasOnMockApiTest}) and a real
 * kube-apiserver ({@link CapacityAcrossReplicasOnRealApiTest}).
 */
abstract class CapacityAcrossReplicasContract extends TierContract {
    private static final String SERVICE = "tether-proxy";
    /** Where the replicas say they are: an API server refuses loopback addresses in Endpoints, as it would a pod's. */
    private static final String HOST = LocalAddresses.nonLoopbackIpv4();
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger atAgent = new AtomicInteger();
    private final AtomicInteger mostAtAgent = new AtomicInteger();
    private final CountDownLatch open = new CountDownLatch(1);
    /** Whether the agent holds tasks until the gate opens, rather than for a moment. */
    private volatile boolean gated;
    private final List<DispatchProxy> proxies = new ArrayList<>();
    private ProxyRig rig;
    private WorkspaceId busy;

    @BeforeEach
    void start() {
        rig = new ProxyRig(kube().client(), settings(), kube().namespace(), "0.0.0.0");
        proxies.add(rig.proxy);
        for (int i = 0; i < 2; i++) {
            proxies.add(DispatchProxy.start(kube().client(), settings().host("0.0.0.0").port(0).defaultNamespace(kube().namespace()).build()));
        }
        publishReplicas(proxies);
        // Holds each task for a moment, or until the test opens the gate when it closes it; counts what it holds.
        rig.agent.on("/held", x -> {
            mostAtAgent.accumulateAndGet(atAgent.incrementAndGet(), Math::max);
            try {
                open.await(200, TimeUnit.MILLISECONDS);
                if (gated) {
                    open.await(60, TimeUnit.SECONDS);
                }
            } finally {
                atAgent.decrementAndGet();
            }
            x.reply(200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        });
        rig.workspace("busy", "/held");
        busy = new WorkspaceId(kube().namespace(), "busy");
        limit(2);
    }

    @AfterEach
    void stop() {
        open.countDown();
        callers.close();
        for (DispatchProxy p : proxies.subList(1, proxies.size())) {
            p.close();
        }
        rig.close();
    }

    private ProxySettings.Builder settings() {
        return ProxySettings.builder().namespaces(List.of(kube().namespace())).defaultIdleTimeout(Duration.ofSeconds(60))
                .drainTimeout(Duration.ZERO).peers(new ProxySettings.Peers(kube().namespace(), SERVICE, HOST))
                .allowedRegisteredNetworks(List.of("127.0.0.0/8"));
    }

    @Test
    void callsToAHibernatedWorkspaceThroughEveryReplicaAreHeldByTheReplicaHoldingItsSlotsAndAskForOneWake() {
        rig.agent.on("/", x -> x.reply(200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"woken\":true}}"));
        rig.patchSpec("busy", "{\"url\": null, \"template\": {\"spec\": {\"containers\": [{\"name\": \"agent\", \"image\": \"agent:1\"}]}}}");
        Instant asleep = Instant.now().minusSeconds(1);
        rig.patchStatus("busy", "{\"hibernation\": {\"state\": \"Hibernated\", \"since\": \"" + asleep + "\"}}");
        awaitEveryReplica(ws -> ws.provisioned() && ws.getStatus() != null && ws.getStatus().getHibernation() != null);

        List<CompletableFuture<ProxyRig.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(send(proxies.get(i % 3), "caller-" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.stream().noneMatch(CompletableFuture::isDone) && activityLeases().size() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> activityLeases().size() == 1);
        assertThat(metric(owner(), "tether_proxy_wake_held_calls")).as("the relayed calls are held where the slots are").isEqualTo(6);

        // The woken runtime: the operator's Waking, the runtime's heartbeat since, its pod ready behind the workspace's Service.
        Instant woken = Instant.now();
        rig.patchStatus("busy", "{\"hibernation\": {\"state\": \"Waking\", \"since\": \"" + woken + "\"}, \"lastHeartbeatTime\": \""
                + woken.plusMillis(1) + "\"}");
        ReadySlices.publish(kube().client(), kube().namespace(), "busy", URI.create(rig.agent.url("/")).getPort());

        for (CompletableFuture<ProxyRig.Reply> reply : replies) {
            ProxyRig.Reply answer = reply.join();
            assertThat(answer.code()).isEqualTo(200);
            assertThat(answer.json().at("/result/woken").asBoolean()).isTrue();
        }
    }

    private List<Lease> activityLeases() {
        return kube().client().leases().inNamespace("default").withLabel(ActivityLease.LABEL, ActivityLease.LABEL_VALUE).list().getItems()
                .stream().filter(l -> ActivityLease.workspaceOf(l).filter(busy::equals).isPresent()).toList();
    }

    @Test
    void fiftyCallersSpreadOverThreeReplicasNeverPutMoreThanTheLimitOnTheAgent() throws Exception {
        List<CompletableFuture<ProxyRig.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            replies.add(send(proxies.get(i % 3), "caller-" + i));
        }

        for (CompletableFuture<ProxyRig.Reply> reply : replies) {
            assertThat(reply.get(60, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
        assertThat(rig.agent.receivedCount()).isEqualTo(50);
        assertThat(mostAtAgent.get()).isEqualTo(2);
    }

    @Test
    void callsRelayedFromAnotherReplicaWaitInTheOrderTheyArrived() throws Exception {
        gated = true;
        limit(1);
        DispatchProxy owner = owner();
        DispatchProxy relaying = notOwner();
        List<CompletableFuture<ProxyRig.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            replies.add(send(relaying, "caller-" + i));
            int sent = i + 1;
            await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() + queueDepth(owner) == sent);
        }
        open.countDown();
        for (CompletableFuture<ProxyRig.Reply> reply : replies) {
            assertThat(reply.get(60, TimeUnit.SECONDS).code()).isEqualTo(200);
        }

        assertThat(rig.agent.received()).map(r -> r.json().at("/params/message/parts/0/text").asText())
                .containsExactly("caller-0", "caller-1", "caller-2", "caller-3", "caller-4");
    }

    @Test
    void aRuntimeOwningSessionsIsAnsweredBusyThroughAnyReplica() {
        gated = true;
        rig.patchStatus("busy", "{\"runtime\": {\"capabilities\": {\"session\": true}}}");
        awaitEveryReplica(ws -> ws.getStatus() != null && ws.getStatus().getRuntime() != null);
        CompletableFuture<ProxyRig.Reply> first = send(proxies.get(0), "first");
        CompletableFuture<ProxyRig.Reply> second = send(proxies.get(1), "second");
        await().atMost(Duration.ofSeconds(20)).until(() -> atAgent.get() == 2);

        ProxyRig.Reply refused = post(proxies.get(2), "third");

        assertThat(refused.code()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("30");
        assertThat(refused.json().get("native_session").asBoolean()).isTrue();
        assertThat(refused.json().get("active").asInt()).isEqualTo(2);
        assertThat(refused.json().get("limit").asInt()).isEqualTo(2);
        open.countDown();
        assertThat(first.join().code()).isEqualTo(200);
        assertThat(second.join().code()).isEqualTo(200);
    }

    @Test
    void aFullQueueIsAnsweredQueueFullThroughAnyReplica() {
        gated = true;
        rig.patchSpec("busy", "{\"dispatch\": {\"queue\": {\"maxDepth\": 1}}}");
        awaitEveryReplica(ws -> ws.getSpec().getDispatch() != null);
        List<CompletableFuture<ProxyRig.Reply>> admitted = List.of(send(proxies.get(0), "a"), send(proxies.get(1), "b"), send(proxies.get(2), "c"));
        await().atMost(Duration.ofSeconds(20)).until(() -> atAgent.get() == 2 && queueDepth(owner()) == 1);

        for (DispatchProxy p : proxies) {
            ProxyRig.Reply full = post(p, "one too many");
            assertThat(full.code()).isEqualTo(503);
            assertThat(full.json().get("reason").asText()).isEqualTo("queue_full");
        }
        open.countDown();
        admitted.forEach(r -> assertThat(r.join().code()).isEqualTo(200));
    }

    @Test
    void killingAReplicaMidRunLeavesNoCallerHangingAndTheLimitHolding() throws Exception {
        DispatchProxy victim = notOwner();
        List<CompletableFuture<Integer>> outcomes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            DispatchProxy via = proxies.get(i % 3);
            outcomes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return post(via, "caller").code();
                } catch (UncheckedIOException e) {
                    return -1; // the replica was gone before the call reached it
                }
            }, callers));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> rig.agent.receivedCount() >= 5);

        victim.close();
        List<DispatchProxy> alive = new ArrayList<>(proxies);
        alive.remove(victim);
        publishReplicas(alive);

        for (CompletableFuture<Integer> outcome : outcomes) {
            assertThat(outcome.get(60, TimeUnit.SECONDS)).isIn(200, 503, -1);
        }
        assertThat(outcomes.stream().filter(o -> o.join() == 200).count()).isGreaterThanOrEqualTo(20);
        assertThat(mostAtAgent.get()).isLessThanOrEqualTo(2);
        awaitReplicas(alive, 2);
        assertThat(post(alive.get(0), "after").code()).isEqualTo(200);
        assertThat(post(alive.get(1), "after").code()).isEqualTo(200);
    }

    @Test
    void whenTheReplicaHoldingTheSlotsStopsItsWaitingCallersAreToldToRetryAtOnce() throws Exception {
        gated = true;
        DispatchProxy owner = owner();
        List<CompletableFuture<ProxyRig.Reply>> held = List.of(send(owner, "a"), send(owner, "b"));
        await().atMost(Duration.ofSeconds(20)).until(() -> atAgent.get() == 2);
        CompletableFuture<ProxyRig.Reply> waiting = send(notOwner(), "waiting");
        await().atMost(Duration.ofSeconds(20)).until(() -> queueDepth(owner) == 1);

        CompletableFuture.runAsync(owner::close, callers);

        ProxyRig.Reply told = waiting.get(20, TimeUnit.SECONDS);
        assertThat(told.code()).isEqualTo(503);
        assertThat(told.header("Retry-After")).isEqualTo("1");
        open.countDown();
        held.forEach(r -> assertThat(r.join().code()).isIn(200, 503));
        List<DispatchProxy> alive = new ArrayList<>(proxies);
        alive.remove(owner);
        publishReplicas(alive);
        awaitReplicas(alive, 2);
        assertThat(post(alive.get(0), "next").code()).isEqualTo(200);
    }

    /** Lists {@code replicas} as the ready addresses of the proxy Service, as Kubernetes does for ready pods. */
    private void publishReplicas(List<DispatchProxy> replicas) {
        var endpoints = new EndpointsBuilder().withNewMetadata().withName(SERVICE).withNamespace(kube().namespace()).endMetadata();
        for (DispatchProxy p : replicas) {
            endpoints.addNewSubset().addNewAddress().withIp(HOST).endAddress()
                    .addNewPort().withName("http").withPort(p.port()).withProtocol("TCP").endPort().endSubset();
        }
        kube().client().resource(endpoints.build()).createOr(e -> e.update());
        awaitReplicas(replicas, replicas.size());
    }

    private void awaitReplicas(List<DispatchProxy> replicas, int count) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> replicas.stream()
                .allMatch(p -> metric(p, "tether_proxy_replicas") == count));
    }

    private void limit(int n) {
        rig.patchSpec("busy", "{\"maxConcurrentTasks\": " + n + "}");
        awaitEveryReplica(ws -> Objects.equals(ws.getSpec().getMaxConcurrentTasks(), n));
    }

    private void awaitEveryReplica(java.util.function.Predicate<dev.tether.api.Workspace> seen) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> proxies.stream().allMatch(p -> p.directory().find(busy).filter(seen).isPresent()));
    }

    private DispatchProxy owner() {
        String owner = Rendezvous.owner(busy.toString(), proxies.stream().map(p -> HOST + ":" + p.port()).toList()).orElseThrow();
        return proxies.stream().filter(p -> owner.equals(HOST + ":" + p.port())).findFirst().orElseThrow();
    }

    private DispatchProxy notOwner() {
        DispatchProxy owner = owner();
        return proxies.stream().filter(p -> p != owner).findFirst().orElseThrow();
    }

    private CompletableFuture<ProxyRig.Reply> send(DispatchProxy via, String text) {
        return CompletableFuture.supplyAsync(() -> post(via, text), callers);
    }

    private ProxyRig.Reply post(DispatchProxy via, String text) {
        return rig.call(new Request.Builder().url(via.baseUrl() + "/workspaces/" + busy + "/a2a")
                .post(RequestBody.create("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\","
                        + "\"messageId\":\"m-" + text + "\",\"parts\":[{\"kind\":\"text\",\"text\":\"" + text + "\"}]}}}", ProxyRig.JSON))
                .build());
    }

    private int queueDepth(DispatchProxy p) {
        return (int) metric(p, "tether_proxy_queue_depth", "workspace=\"" + busy + "\"");
    }

    private double metric(DispatchProxy p, String name, String... labels) {
        try (var r = rig.http.newCall(new Request.Builder().url(p.baseUrl() + "/metrics").build()).execute()) {
            return PrometheusText.value(r.body().string(), name, labels);
        } catch (IOException e) {
            return -1;
        }
    }
}
