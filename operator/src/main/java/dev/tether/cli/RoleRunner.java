package dev.tether.cli;

import dev.tether.kube.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a started role running until the JVM is asked to stop (SIGTERM), then closes it in order. */
public final class RoleRunner {
    private static final Logger LOG = LoggerFactory.getLogger(RoleRunner.class);

    private RoleRunner() {
    }

    /**
     * Starts a role on the standard Kubernetes connection and serves until SIGTERM, then closes the role
     * and after it the client (also when the role fails to start).
     */
    static int serve(String name, Function<KubernetesClient, AutoCloseable> start) throws InterruptedException {
        KubernetesClient client = KubeClients.standard();
        AutoCloseable role;
        try {
            role = start.apply(client);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return runUntilShutdown(name, () -> {
            try {
                role.close();
            } finally {
                client.close();
            }
        });
    }

    public static int runUntilShutdown(String name, AutoCloseable role) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("{} stopping", name);
            try {
                role.close();
            } catch (Exception e) {
                LOG.atError().setCause(e).log("{} did not stop cleanly: {}", name, e.toString());
            } finally {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        stopped.await();
        return 0;
    }
}
