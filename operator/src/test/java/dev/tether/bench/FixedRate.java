package dev.tether.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;

/**
 * An open-loop load generator: request {@code i} is due at {@code start + i / rate} and runs on a thread
 * of its own whether or not earlier ones have answered, so a slow server cannot slow the arrivals down
 * (no coordinated omission). Latency is counted from the due time. Bounded: {@code count} requests, and
 * the run is abandoned after {@code timeout} (what is unanswered then counts as an error).
 *
 * <p>The calls run on pooled platform threads, not virtual ones, because only a platform thread's CPU
 * time can be read: the generator shares the JVM (and the cores) with what it measures, and a run
 * reports the CPU it took itself. Past {@link #MAX_THREADS} calls in flight a call overflows to a
 * virtual thread (its CPU then goes uncounted, and the run says how many did), so the arrivals stay
 * open loop however far the server falls behind.
 */
final class FixedRate {
    /** The status of a call still unanswered when the run's timeout passed. */
    static final int UNANSWERED = -2;
    static final int MAX_THREADS = 2_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One call's outcome: its status (-1 on an exception, {@link #UNANSWERED}) and its latency from its due time, in nanos. */
    record Outcome(int status, long latencyNanos) {
    }

    /**
     * What a run achieved, and the generator's own CPU time: the calls' (on their platform threads: the
     * client side of each HTTP call) plus the pacing loop's; {@code overflowed} calls ran uncounted.
     */
    record Run(List<Outcome> outcomes, Duration wall, Duration generatorCpu, long overflowed) {
        long errors(int expectedStatus) {
            return outcomes.stream().filter(o -> o.status() != expectedStatus).count();
        }

        List<Long> latencies() {
            return outcomes.stream().map(Outcome::latencyNanos).toList();
        }

        String summary(int expectedStatus) {
            List<Long> l = latencies();
            long unanswered = outcomes.stream().filter(o -> o.status() == UNANSWERED).count();
            // p90 as well: when a few percent of the calls are slow for one reason (a status write), it says how many.
            return String.format(java.util.Locale.ROOT, "requests=%d answeredPerS=%.0f p50Ms=%s p90Ms=%s p99Ms=%s maxMs=%s errors=%d unanswered=%d",
                    outcomes.size(), (outcomes.size() - unanswered) / (wall.toNanos() / 1e9), Bench.ms(Bench.median(l)),
                    Bench.ms(Bench.percentile(l, 90)), Bench.ms(Bench.percentile(l, 99)), Bench.ms(Bench.percentile(l, 100)),
                    errors(expectedStatus), unanswered);
        }
    }

    private FixedRate() {
    }

    /** Runs {@code call(i)} (returning a status) for i in [0, count) at {@code ratePerSecond}. */
    static Run run(double ratePerSecond, int count, Duration timeout, IntUnaryOperator call) throws Exception {
        long gap = (long) (1e9 / ratePerSecond);
        LongAdder callsCpu = new LongAdder();
        LongAdder overflowed = new LongAdder();
        ThreadPoolExecutor threads = new ThreadPoolExecutor(0, MAX_THREADS, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                Thread.ofPlatform().name("fixed-rate-", 0).daemon(true).factory(), (task, pool) -> {
                    overflowed.increment();
                    Thread.ofVirtual().start(task);
                });
        long loopCpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        List<Future<Outcome>> futures = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                long due = start + i * gap;
                LockSupport.parkNanos(due - System.nanoTime());
                int index = i;
                futures.add(threads.submit(() -> {
                    long cpu = THREADS.getCurrentThreadCpuTime(); // -1 on an overflow virtual thread
                    int status;
                    try {
                        status = call.applyAsInt(index);
                    } catch (RuntimeException e) {
                        status = -1;
                    }
                    long latency = System.nanoTime() - due;
                    if (cpu >= 0) {
                        callsCpu.add(THREADS.getCurrentThreadCpuTime() - cpu);
                    }
                    return new Outcome(status, latency);
                }));
            }
            List<Outcome> outcomes = new ArrayList<>(count);
            long end = start + timeout.toNanos();
            for (int i = 0; i < futures.size(); i++) {
                Future<Outcome> f = futures.get(i);
                try {
                    outcomes.add(f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    // Unanswered when the run was abandoned: counted as errors with the latency they had reached.
                    f.cancel(true);
                    outcomes.add(new Outcome(UNANSWERED, System.nanoTime() - (start + i * gap)));
                }
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            Duration cpu = Duration.ofNanos(callsCpu.sum() + THREADS.getCurrentThreadCpuTime() - loopCpu);
            return new Run(outcomes, wall, cpu, overflowed.sum());
        } finally {
            // Not awaited: a platform thread blocked in a socket read ignores the interrupt; abandoned calls end at their read timeout.
            threads.shutdownNow();
        }
    }
}
