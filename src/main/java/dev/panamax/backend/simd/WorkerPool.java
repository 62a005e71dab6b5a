package dev.panamax.backend.simd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that run one job split into parts, the calling thread taking part 0.
 * Dispatch allocates nothing: the job is a long-lived object whose fields the caller sets before
 * {@link #run}, workers are woken by a generation counter, and completion is a countdown.
 * One job at a time: callers serialize (the backend's GEMM is synchronized).
 */
final class WorkerPool implements AutoCloseable {

    /** One part of a job; {@code part} in [0, parts). */
    interface Job {
        void run(int part, int parts);
    }

    /** Spins (about 50 us) before parking: back-to-back GEMMs of a training step then skip the park/unpark round trip. */
    private static final int SPINS_BEFORE_PARK = 4_000;

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Job job;
    private volatile int parts;
    private volatile Thread caller;
    private volatile Throwable workerFailure;

    /** A pool that runs jobs on {@code size} threads in all: the caller plus size - 1 workers. */
    WorkerPool(int size) {
        workers = new Thread[Math.max(0, size - 1)];
        for (int w = 0; w < workers.length; w++) {
            int part = w + 1;
            Thread t = new Thread(() -> workLoop(part), "panamax-simd-" + part);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** Threads a job can use, the caller included. */
    int size() {
        return workers.length + 1;
    }

    /**
     * Whether the workers may touch this segment: not when its arena is confined to another thread
     * (Arena.ofConfined), in which case a job on it must run on the caller alone.
     */
    boolean canAccess(java.lang.foreign.MemorySegment segment) {
        return workers.length == 0 || segment.isAccessibleBy(workers[0]);
    }

    /** Runs {@code job} as {@code parts} parts (1 <= parts <= size()) and returns when all are done. */
    void run(Job job, int parts) {
        if (parts <= 1) {
            job.run(0, 1);
            return;
        }
        this.job = job;
        this.parts = parts;
        this.caller = Thread.currentThread();
        pending.set(parts - 1);
        generation++; // publishes job and parts to the workers (volatile write after the others)
        for (int w = 0; w < parts - 1; w++) {
            LockSupport.unpark(workers[w]);
        }
        RuntimeException failure = null;
        try {
            job.run(0, parts);
        } catch (RuntimeException e) {
            failure = e;
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.job = null;
        if (failure != null) {
            throw failure;
        }
        Throwable inWorker = workerFailure;
        if (inWorker != null) {
            workerFailure = null;
            throw new IllegalStateException("a worker failed: " + inWorker, inWorker);
        }
    }

    private void workLoop(int part) {
        int seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            if (part < parts) {
                try {
                    job.run(part, parts);
                } catch (Throwable t) {
                    workerFailure = t; // reported by the caller; the countdown below must still run
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}
