package dev.tether.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a started role running until the JVM is asked to stop (SIGTERM), then closes it in order. */
final class RoleRunner {
    private static final Logger LOG = LoggerFactory.getLogger(RoleRunner.class);

    private RoleRunner() {
    }

    static int runUntilShutdown(String name, AutoCloseable role) throws InterruptedException {
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
