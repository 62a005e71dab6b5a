package dev.panamax.backend;

import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * A test stand-in for a GPU stream: an {@link Backend#asynchronous() asynchronous} backend that
 * queues every call on tensors from its {@link #allocate} and runs the queue, in order, only in
 * {@link #synchronize()}. Results are therefore NOT in memory when a call returns, exactly the
 * situation code above the backend meets with the cuda backend, and any host read that forgot to
 * synchronise sees stale values and makes a comparison with an eager run fail.
 *
 * <p>Calls that involve host tensors (memory not from {@link #allocate}) drain the queue and run at
 * once, and {@link #hostCalls()} counts them, so a test can assert that a training step touched host
 * memory only where intended. That is stricter than the cuda backend, which waits only when a host
 * tensor is written (a host input with resident outputs is uploaded and queued): tests that need the
 * difference assert {@code hostCalls() == 0}, where the two agree. Copies
 * follow the cuda backend too: from host memory into backend memory, the source is read when called
 * (as a pageable {@code cuMemcpyHtoDAsync} does) and lands in queue order; from backend memory into
 * host memory, the copy waits for the queue (counted in {@link #synchronizations()}, it is a wait).
 */
public final class DeferredBackend implements Backend {
    private record Range(long start, long end) {
        boolean holds(MemorySegment s) {
            return s.address() >= start && s.address() + s.byteSize() <= end;
        }
    }

    private final Backend eager;
    private final List<Range> owned = new ArrayList<>();
    /** A queued call and the tensors it touches (to drop it when their memory is freed first). */
    private record Call(Runnable body, Tensor[] tensors) {
    }

    private final List<Call> queue = new ArrayList<>();
    private long synchronizations;
    private long hostCalls;
    private long queuedCalls;
    private long lostCalls;

    public DeferredBackend(Backend eager) {
        this.eager = eager;
    }

    @Override
    public String name() {
        return "deferred-" + eager.name();
    }

    @Override
    public String describe() {
        return eager.describe() + ", deferred until synchronize()";
    }

    /** Waits: synchronize() calls, and the calls that wait for the queue (host values returned, copies to host memory). */
    public long synchronizations() {
        return synchronizations;
    }

    /** Calls that touched host memory and so ran at once. */
    public long hostCalls() {
        return hostCalls;
    }

    /** Calls queued on backend memory. */
    public long queuedCalls() {
        return queuedCalls;
    }

    /** Queued calls dropped because their memory was freed before a synchronize(). */
    public long lostCalls() {
        return lostCalls;
    }

    /** True when {@code t} lies in memory from {@link #allocate}. */
    public boolean owns(Tensor t) {
        for (Range r : owned) {
            if (r.holds(t.segment())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closing the owner forgets the tensor's memory (a later host allocation at the same address is host
     * memory again) and drops the queued calls that touch it, counting them in {@link #lostCalls()}: the
     * memory is gone by then (FFM cleanups run after the arena is closed), so code that frees backend
     * memory must {@code synchronize()} first, as Panamax's close methods do.
     */
    @Override
    public Tensor allocate(Arena owner, int... shape) {
        Tensor t = Tensor.allocate(owner, shape);
        Range range = new Range(t.segment().address(), t.segment().address() + Math.max(1, t.segment().byteSize()));
        owned.add(range);
        MemorySegment.NULL.reinterpret(owner, ignored -> {
            owned.remove(range);
            queue.removeIf(call -> {
                for (Tensor touched : call.tensors()) {
                    if (touched != null && range.holds(touched.segment())) {
                        lostCalls++;
                        return true;
                    }
                }
                return false;
            });
        });
        return t;
    }

    @Override
    public boolean asynchronous() {
        return true;
    }

    @Override
    public void synchronize() {
        synchronizations++;
        drain();
    }

    private void drain() {
        for (Call call : queue) {
            call.body().run();
        }
        queue.clear();
    }

    /** Queues {@code call} when every tensor is backend memory, else drains and runs it now. */
    private void submit(Runnable call, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && !owns(t)) {
                hostCalls++;
                drain();
                call.run();
                return;
            }
        }
        queuedCalls++;
        queue.add(new Call(call, tensors));
    }

    @Override
    public boolean isResident(Tensor t) {
        return owns(t);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (owns(dst) && !owns(src)) {
            float[] snapshot = src.segment().toArray(JAVA_FLOAT); // the source is read now, as a pageable upload is
            queuedCalls++;
            queue.add(new Call(() -> dst.copyFrom(snapshot), new Tensor[] {dst}));
        } else if (owns(src) && !owns(dst)) {
            synchronize(); // a download completes before it returns
            eager.copy(src, dst);
        } else {
            submit(() -> eager.copy(src, dst), src, dst);
        }
    }

    @Override
    public void countCorrect(Tensor logits, Tensor labels, Tensor count) {
        submit(() -> eager.countCorrect(logits, labels, count), logits, labels, count);
    }

    @Override
    public void fill(Tensor x, float value) {
        submit(() -> eager.fill(x, value), x);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b, float beta,
                     Tensor c) {
        submit(() -> eager.gemm(transA, transB, m, n, k, alpha, a, b, beta, c), a, b, c);
    }

    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        submit(() -> eager.biasActivation(x, bias, act, y), x, bias, y);
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        submit(() -> eager.activationBackward(act, x, y, dy, dx), x, y, dy, dx);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        submit(() -> eager.axpy(alpha, x, y), x, y);
    }

    @Override
    public void scale(float alpha, Tensor x) {
        submit(() -> eager.scale(alpha, x), x);
    }

    @Override
    public void columnSums(Tensor x, float beta, Tensor out) {
        submit(() -> eager.columnSums(x, beta, out), x, out);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        submit(() -> eager.softmaxRows(x, y), x, y);
    }

    @Override
    public void logSoftmaxRows(Tensor x, Tensor y) {
        submit(() -> eager.logSoftmaxRows(x, y), x, y);
    }

    /** Returns a host value, so it waits for the queue first (as the cuda backend's version does). */
    @Override
    public double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        synchronize();
        return eager.softmaxCrossEntropy(logits, labels, probs, dlogits, gradScale);
    }

    @Override
    public void softmaxCrossEntropyMean(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale,
                                        Tensor meanLoss) {
        submit(() -> eager.softmaxCrossEntropyMean(logits, labels, probs, dlogits, gradScale, meanLoss),
                logits, labels, probs, dlogits, meanLoss);
    }

    @Override
    public UpdateKernel updateKernel(UpdateRule rule) {
        UpdateKernel kernel = eager.updateKernel(rule);
        return (t, s) -> {
            Tensor[] tensors = t.clone(); // the caller reuses its arrays once the call returns
            float[] scalars = s.clone();
            submit(() -> kernel.apply(tensors, scalars), tensors);
        };
    }

    @Override
    public void close() {
        drain();
        eager.close();
    }
}
