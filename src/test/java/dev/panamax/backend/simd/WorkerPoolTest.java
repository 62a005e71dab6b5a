package dev.panamax.backend.simd;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A part that throws must reach the caller, also when it is the last part of the job to finish (the
 * caller is woken by that part), and must not disturb the next job.
 */
class WorkerPoolTest {
    /** How long a part waits for the other thread before the test gives up (a hung pool fails, not hangs). */
    private static final long WAIT_NANOS = 10_000_000_000L;

    private static void awaitTrue(AtomicBoolean flag) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!flag.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the other thread never got there");
            }
            Thread.onSpinWait();
        }
    }

    // every part of a many-part job runs exactly once
    private static void assertNextJobRunsCompletely(WorkerPool pool) {
        int parts = 5_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(parts);
        pool.run((part, n, thread) -> runs.incrementAndGet(part), parts);
        for (int part = 0; part < parts; part++) {
            assertEquals(1, runs.get(part), "part " + part + " of the next job");
        }
    }

    @Test
    void aWorkerPartThatFailsLastReachesTheCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int attempt = 0; attempt < 20; attempt++) {
                // two parts, one per thread: the caller's part waits until the worker has started
                // its part, which waits until the caller's part is done and only then throws, so
                // the failing part is the one that ends the job
                AtomicBoolean workerStarted = new AtomicBoolean();
                AtomicBoolean callerDone = new AtomicBoolean();
                IllegalArgumentException injected = new IllegalArgumentException("injected failure " + attempt);
                IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.run(
                        (part, parts, thread) -> {
                            if (thread == 0) {
                                awaitTrue(workerStarted);
                                callerDone.set(true);
                            } else {
                                workerStarted.set(true);
                                awaitTrue(callerDone);
                                throw injected;
                            }
                        }, 2), "attempt " + attempt);
                assertSame(injected, thrown.getCause());
                assertNextJobRunsCompletely(pool);
            }
        }
    }

    @Test
    void aFailureDropsTheUnclaimedPartsAndTheNextJobRunsCompletely() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int attempt = 0; attempt < 20; attempt++) {
                RuntimeException injected = new UnsupportedOperationException("injected failure " + attempt);
                RuntimeException thrown = assertThrows(RuntimeException.class, () -> pool.run((part, parts, thread) -> {
                    if (part == 0) {
                        throw injected;
                    }
                }, 1_000));
                // thrown as is on the caller, wrapped when a worker ran part 0
                assertSame(injected, thrown == injected ? thrown : thrown.getCause());
                assertNextJobRunsCompletely(pool);
            }
        }
    }

    @Test
    void theCallersOwnFailureIsRethrownAsIs() {
        try (WorkerPool pool = new WorkerPool(2)) {
            // worker parts wait until the caller has run one, so the caller does run one
            AtomicBoolean callerRan = new AtomicBoolean();
            IllegalArgumentException injected = new IllegalArgumentException("injected");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> pool.run(
                    (part, parts, thread) -> {
                        if (thread == 0) {
                            callerRan.set(true);
                            throw injected;
                        }
                        awaitTrue(callerRan);
                    }, 100));
            assertSame(injected, thrown);
            assertNextJobRunsCompletely(pool);
        }
    }

    @Test
    void spinPropertyIsMicrosecondsWithinRangeOrAClearError() {
        assertEquals(1_000_000L, WorkerPool.spinNanos(null));
        assertEquals(1_000_000L, WorkerPool.spinNanos(" "));
        assertEquals(0L, WorkerPool.spinNanos("0"));
        assertEquals(250_000L, WorkerPool.spinNanos(" 250 "));
        for (String bad : new String[] {"-1", "1000001", "1ms", "0.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkerPool.spinNanos(bad));
            assertTrue(e.getMessage().contains(WorkerPool.SPIN_PROPERTY) && e.getMessage().contains("'" + bad + "'"),
                    e.getMessage());
        }
    }
}
