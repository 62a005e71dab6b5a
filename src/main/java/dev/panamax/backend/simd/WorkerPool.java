package dev.panamax.backend.simd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that run one job split into parts. Parts are claimed, not assigned:
 * the caller and every worker take the next unclaimed part until none is left, so a worker that is
 * slow to wake (parked, or descheduled on a busy machine) never holds the job up; the caller then
 * runs its parts itself. Dispatch allocates nothing: the job is a long-lived object whose fields the
 * caller sets before {@link #run}, and completion is a countdown of parts.
 * One job at a time: the caller must make sure of it (SimdGemm hands the pool to one call at a time and
 * runs the others on their own threads).
 */
final class WorkerPool implements AutoCloseable {

    /** One part of a job; {@code part} in [0, parts), {@code thread} in [0, size()) names the running thread's scratch. */
    interface Job {
        void run(int part, int parts, int thread);
    }

    /** Spins of a caller waiting for the workers' last parts before it parks (about 50 us). */
    private static final int SPINS_BEFORE_PARK = 4_000;
    /** System property: how long an idle worker spins before it parks, in microseconds (0: park at once). */
    static final String SPIN_PROPERTY = "panamax.simd.spinMicros";
    /**
     * How long an idle worker spins, waiting for the next job, before it parks: 1 ms by default. A parked
     * worker takes a wake-up (a futex call and the scheduler, tens of microseconds or more on a busy or
     * virtual machine) to start on the next job, and parts are claimed, so the caller, not waiting for
     * it, runs the parts itself: a GEMM that follows a long elementwise phase then runs on one thread. A
     * training step's elementwise phases (an Adam update of the 784-256-10 MLP's 203,530 parameters, a
     * few hundred microseconds) are shorter than this, so its GEMMs find the workers awake. A spinning
     * worker holds a core that is idle otherwise while the caller runs single-threaded code; a program
     * that needs it for other threads can shorten the spin with -Dpanamax.simd.spinMicros.
     */
    static final long SPIN_NANOS = spinNanos(System.getProperty(SPIN_PROPERTY));
    /** Spins between two looks at the clock: a nanoTime call costs more than a spin. */
    private static final int SPINS_PER_CLOCK_READ = 64;
    private static final int NEXT_BITS = 20;
    private static final int PARTS_BITS = 20;
    private static final long FIELD_MASK = (1L << NEXT_BITS) - 1;

    private final Thread[] workers;
    /**
     * The claim word: job generation (high bits), its part count and the next unclaimed part. One word
     * so that a claim (compareAndSet) can only succeed for the job whose generation it read: a worker
     * waking late cannot take a part of the next job with the previous job's view.
     */
    private final AtomicLong claims = new AtomicLong();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    private volatile Job job;
    private volatile Thread caller;
    /** The first part of the current job that threw, and on which thread; null while none has. */
    private final AtomicReference<Failure> failure = new AtomicReference<>();

    private record Failure(Throwable cause, int thread) {
    }

    /** The spin in nanoseconds for a value of {@link #SPIN_PROPERTY} (null or blank: the default). */
    static long spinNanos(String value) {
        if (value == null || value.isBlank()) {
            return 1_000_000L;
        }
        try {
            long micros = Long.parseLong(value.trim());
            if (micros >= 0 && micros <= 1_000_000) {
                return micros * 1_000;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + SPIN_PROPERTY + " must be a whole number of microseconds from 0 to"
                + " 1000000 (how long an idle simd worker spins before it parks), got '" + value + "'");
    }

    /** A pool that runs jobs on {@code size} threads in all: the caller plus size - 1 workers. */
    WorkerPool(int size) {
        workers = new Thread[Math.max(0, size - 1)];
        for (int w = 0; w < workers.length; w++) {
            int thread = w + 1;
            Thread t = new Thread(() -> workLoop(thread), "panamax-simd-" + thread);
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

    /** Runs {@code job} as {@code parts} parts (1 <= parts < 2^20) and returns when all are done. */
    void run(Job job, int parts) {
        if (parts <= 1 || workers.length == 0) {
            for (int part = 0; part < parts; part++) {
                job.run(part, parts, 0);
            }
            return;
        }
        this.job = job;
        this.caller = Thread.currentThread();
        pending.set(parts);
        long generation = (claims.get() >>> (NEXT_BITS + PARTS_BITS)) + 1;
        claims.set(generation << (NEXT_BITS + PARTS_BITS) | (long) parts << NEXT_BITS); // publishes the job
        for (int w = 0; w < Math.min(parts - 1, workers.length); w++) {
            LockSupport.unpark(workers[w]);
        }
        claimAndRun(0);
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.job = null;
        Failure failed = failure.get(); // a plain read: no atomic exchange on the common, failure-free path
        if (failed == null) {
            return;
        }
        failure.set(null);
        if (failed.thread() == 0 && failed.cause() instanceof RuntimeException e) {
            throw e; // the caller's own part: as if it had run the job alone
        }
        if (failed.thread() == 0 && failed.cause() instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("a worker failed: " + failed.cause(), failed.cause());
    }

    /**
     * Takes parts of the current job until none is left. A part that throws is recorded, and the job's
     * unclaimed parts are dropped, before the part counts as done: the caller, woken by the last
     * part, must find the failure already there, and the job cannot end (so the next one cannot
     * start) while the drop runs.
     */
    private void claimAndRun(int thread) {
        while (true) {
            long word = claims.get();
            int next = (int) (word & FIELD_MASK);
            int parts = (int) ((word >>> NEXT_BITS) & FIELD_MASK);
            if (next >= parts) {
                return;
            }
            if (!claims.compareAndSet(word, word + 1)) {
                continue;
            }
            // the job cannot change while a part of it is claimed and unfinished
            int done = 1;
            try {
                job.run(next, parts, thread);
            } catch (Throwable t) {
                failure.compareAndSet(null, new Failure(t, thread));
                done += drainClaims(word >>> (NEXT_BITS + PARTS_BITS));
            }
            if (pending.addAndGet(-done) == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    // marks every unclaimed part of job generation `generation` claimed; returns how many there were
    // (none when another job is current)
    private int drainClaims(long generation) {
        while (true) {
            long word = claims.get();
            int next = (int) (word & FIELD_MASK);
            int parts = (int) ((word >>> NEXT_BITS) & FIELD_MASK);
            if (word >>> (NEXT_BITS + PARTS_BITS) != generation || next >= parts) {
                return 0;
            }
            if (claims.compareAndSet(word, word - next + parts)) {
                return parts - next;
            }
        }
    }

    private void workLoop(int thread) {
        long seen = 0;
        while (true) {
            int spins = 0;
            long idleSince = System.nanoTime();
            boolean spinning = SPIN_NANOS > 0;
            long generation;
            while ((generation = claims.get() >>> (NEXT_BITS + PARTS_BITS)) == seen && !closed) {
                if (spinning && (++spins % SPINS_PER_CLOCK_READ != 0 || System.nanoTime() - idleSince < SPIN_NANOS)) {
                    Thread.onSpinWait();
                } else {
                    spinning = false;
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            claimAndRun(thread);
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
