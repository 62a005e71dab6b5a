package dev.panamax.check;

import dev.panamax.backend.cuda.CudaBackend;
import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;
import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Adadelta;
import dev.panamax.optim.Adagrad;
import dev.panamax.optim.Adam;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.optim.RMSprop;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Trainer;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The GPU checks: every kernel of a backend against {@link ScalarBackend} on shapes that break tails
 * and block boundaries, and a few training steps. Shared by the {@code gpu}-tagged JUnit test and by
 * {@link GpuCheck} (which runs where JUnit is not installed), so both check exactly the same things.
 *
 * <p>Tolerances, derived:
 * <ul>
 *   <li>GEMM: cuBLAS accumulates in float, in an order of its own. Each element's error is at most
 *       {@code gamma_k = k * eps} times {@code sum |alpha a b| + |beta c|} (Higham, Accuracy and
 *       Stability, 3.1) with eps = 2^-24, plus one rounding of the result; the reference (double) is
 *       exact to well below that. Bound used: {@code (k + 2) * 2^-24 * that sum}.</li>
 *   <li>Elementwise without transcendentals (bias, relu, backward, axpy, scale, column sums, all
 *       optimizer updates): the kernels round every operation as the reference does, so bit-exact.</li>
 *   <li>Sigmoid, tanh, softmax, log-softmax, cross-entropy: computed in double by both, in different
 *       orders (warp reductions) and with different exp/tanh/log implementations (each within
 *       ~2 ulp of double): results agree to ~1e-15 relative before the single rounding to float, so
 *       they may differ by the last float bit where that rounding is a near tie: 1 ulp. The loss sum
 *       (double, B terms): relative 1e-12.</li>
 *   <li>Training: SGD with momentum for 5 steps on an MLP; the only non-exact kernels are GEMMs
 *       (relative ~k * eps per step as above, k <= 64), propagated linearly by SGD: 1e-4 * max|p|,
 *       about 40x the expected drift, while a wrong kernel moves parameters by the learning-rate scale.
 *       Step losses: the loss is a smooth function of logits that carry the same relative drift
 *       (cross-entropy's gradient w.r.t. a logit is at most 1 in size, and the logits are O(1)), so
 *       the loss moves by at most about that drift too: 1e-4 relative to the loss.</li>
 *   <li>Copies and fills move bits: bit-exact.</li>
 * </ul>
 *
 * <p>Most checks use host tensors (the copy-per-call path); the "resident" checks put every tensor in
 * the backend's own memory ({@link Backend#allocate}), wait with {@link Backend#synchronize()} before
 * reading, and for a {@link CudaBackend} also check that a training step waits exactly once.
 */
public final class CudaEquivalence {
    private static final double EPS32 = 0x1p-24;

    /** One named check; {@link #run()} throws {@link CheckFailed} saying what differs. */
    public record Check(String name, Runnable body) {
        public void run() {
            body.run();
        }
    }

    /** A check found a difference; the message has the element, both values and the tolerance. */
    public static final class CheckFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CheckFailed(String message) {
            super(message);
        }
    }

    private final Backend backend;
    /** The backend under the checked facade, for the checks that build on it; never closed (the caller's backend). */
    private final Compute onBackend;
    private final Backend reference = new ScalarBackend();

    public CudaEquivalence(Backend backend) {
        this.backend = backend;
        this.onBackend = new Compute(backend);
    }

    /** Every check, in a fixed order; each allocates and frees its own tensors. */
    public List<Check> checks() {
        List<Check> out = new ArrayList<>();
        int[][] gemmSizes = {{1, 1, 1}, {7, 15, 33}, {33, 17, 103}, {64, 256, 784}, {207, 31, 1025}};
        for (int[] s : gemmSizes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                out.add(new Check("gemm m=" + s[0] + " n=" + s[1] + " k=" + s[2] + (ta ? " A^T" : "") + (tb ? " B^T" : ""),
                        () -> gemm(ta, tb, s[0], s[1], s[2])));
            }
        }
        int[][] shapes = {{1, 1}, {7, 33}, {64, 256}, {103, 1025}};
        for (int[] s : shapes) {
            String shape = " " + s[0] + "x" + s[1];
            for (Activation act : Activation.values()) {
                out.add(new Check("biasActivation " + act.label() + shape, () -> biasActivation(act, s[0], s[1])));
                out.add(new Check("activationBackward " + act.label() + shape, () -> activationBackward(act, s[0], s[1])));
            }
            out.add(new Check("axpy+scale" + shape, () -> axpyScale(s[0], s[1])));
            out.add(new Check("columnSums" + shape, () -> columnSums(s[0], s[1])));
            out.add(new Check("softmax/logSoftmax" + shape, () -> softmaxes(s[0], s[1])));
            out.add(new Check("softmaxCrossEntropy" + shape, () -> crossEntropy(s[0], s[1])));
            out.add(new Check("optimizer steps" + shape, () -> optimizers(s[0] * s[1])));
        }
        out.add(new Check("resident: copy and fill between host and backend memory, views included", this::copyAndFill));
        out.add(new Check("resident: softmaxCrossEntropyMean 64x10", () -> crossEntropyMean(64, 10)));
        out.add(new Check("countCorrect 1x1, 64x10, 1030x3 (ties, NaN), host and resident", () -> {
            countCorrect(1, 1);
            countCorrect(64, 10);
            countCorrect(1030, 3);
        }));
        out.add(new Check("training: 5 SGD steps of a 32-64-10 MLP, batch 16", this::training));
        out.add(new Check("resident training: 5 Trainer steps of a 32-64-10 MLP, batch 16, one wait each",
                this::residentTraining));
        return out;
    }

    // ---------------------------------------------------------------- kernels

    private void gemm(boolean ta, boolean tb, int m, int n, int k) {
        Random rnd = new Random(m * 31L + n * 7L + k);
        float alpha = 1.5f;
        for (float beta : new float[] {0f, 0.5f}) {
            try (Arena arena = Arena.ofConfined()) {
                Tensor a = random(arena, rnd, ta ? k : m, ta ? m : k);
                Tensor b = random(arena, rnd, tb ? n : k, tb ? k : n);
                Tensor c = random(arena, rnd, m, n);
                if (beta == 0f) {
                    c.fill(Float.NaN); // must not leak into the result
                }
                Tensor original = copy(arena, c);
                Tensor expected = copy(arena, c);
                reference.gemm(ta, tb, m, n, k, alpha, a, b, beta, expected);
                backend.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double bound = beta == 0f ? 0 : Math.abs((double) beta * original.get((long) i * n + j));
                        for (int p = 0; p < k; p++) {
                            float av = ta ? a.get((long) p * m + i) : a.get((long) i * k + p);
                            float bv = tb ? b.get((long) j * k + p) : b.get((long) p * n + j);
                            bound += Math.abs((double) alpha * av * bv);
                        }
                        double tolerance = (k + 2) * EPS32 * bound;
                        long idx = (long) i * n + j;
                        double diff = Math.abs((double) c.get(idx) - expected.get(idx));
                        if (!(diff <= tolerance)) {
                            throw new CheckFailed("C[" + i + "," + j + "] (beta=" + beta + ") = " + c.get(idx) + ", reference "
                                    + expected.get(idx) + ", |diff| " + diff + " > " + tolerance);
                        }
                    }
                }
            }
        }
    }

    private void biasActivation(Activation act, int rows, int cols) {
        Random rnd = new Random(rows * 131L + cols + act.ordinal());
        int ulps = act == Activation.SIGMOID || act == Activation.TANH ? 1 : 0;
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, rnd, rows, cols);
            x.set(0, Float.NaN);
            Tensor bias = random(arena, rnd, cols);
            for (Tensor b : new Tensor[] {bias, null}) {
                Tensor y = Tensor.allocate(arena, rows, cols);
                Tensor expected = Tensor.allocate(arena, rows, cols);
                reference.biasActivation(x, b, act, expected);
                backend.biasActivation(x, b, act, y);
                compare("y" + (b == null ? " (no bias)" : ""), y, expected, ulps);
            }
            Tensor inPlace = copy(arena, x);
            Tensor expected = copy(arena, x);
            reference.biasActivation(expected, bias, act, expected);
            backend.biasActivation(inPlace, bias, act, inPlace);
            compare("y in place", inPlace, expected, ulps);
        }
    }

    private void activationBackward(Activation act, int rows, int cols) {
        Random rnd = new Random(rows * 17L + cols + act.ordinal());
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, rnd, rows, cols);
            Tensor y = Tensor.allocate(arena, rows, cols);
            reference.biasActivation(x, null, act, y);
            Tensor dy = random(arena, rnd, rows, cols);
            Tensor dx = Tensor.allocate(arena, rows, cols);
            Tensor expected = Tensor.allocate(arena, rows, cols);
            reference.activationBackward(act, x, y, dy, expected);
            backend.activationBackward(act, x, y, dy, dx);
            compare("dx", dx, expected, 0);
            backend.activationBackward(act, x, y, dy, dy); // dx aliases dy
            compare("dx in place", dy, expected, 0);
        }
    }

    private void axpyScale(int rows, int cols) {
        Random rnd = new Random(rows * 5L + cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, rnd, rows, cols);
            Tensor y = random(arena, rnd, rows, cols);
            Tensor expected = copy(arena, y);
            reference.axpy(-0.37f, x, expected);
            backend.axpy(-0.37f, x, y);
            compare("axpy y", y, expected, 0);
            reference.scale(1.7f, expected);
            backend.scale(1.7f, y);
            compare("scale x", y, expected, 0);
        }
    }

    private void columnSums(int rows, int cols) {
        Random rnd = new Random(rows * 3L + cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, rnd, rows, cols);
            for (float beta : new float[] {0f, 0.5f}) {
                Tensor out = random(arena, rnd, cols);
                if (beta == 0f) {
                    out.fill(Float.NaN);
                }
                Tensor expected = copy(arena, out);
                reference.columnSums(x, beta, expected);
                backend.columnSums(x, beta, out);
                compare("column sums (beta=" + beta + ")", out, expected, 0); // both sum in double, row order
            }
        }
    }

    private void softmaxes(int rows, int cols) {
        Random rnd = new Random(rows * 11L + cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, rnd, rows, cols);
            for (int j = 0; j < cols; j++) {
                x.set(j, x.get(j) * 1000f); // a row of large logits: overflows unless max-subtracted
            }
            Tensor y = Tensor.allocate(arena, rows, cols);
            Tensor expected = Tensor.allocate(arena, rows, cols);
            reference.softmaxRows(x, expected);
            backend.softmaxRows(x, y);
            compare("softmax", y, expected, 1);
            reference.logSoftmaxRows(x, expected);
            backend.logSoftmaxRows(x, y);
            compare("log-softmax", y, expected, 1);
        }
    }

    private void crossEntropy(int rows, int cols) {
        Random rnd = new Random(rows * 13L + cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor logits = random(arena, rnd, rows, cols);
            Tensor labels = classIndices(arena, rnd, rows, cols);
            Tensor probs = Tensor.allocate(arena, rows, cols);
            Tensor dlogits = Tensor.allocate(arena, rows, cols);
            Tensor expectedProbs = Tensor.allocate(arena, rows, cols);
            Tensor expectedD = Tensor.allocate(arena, rows, cols);
            float scale = 1f / rows;
            double expectedLoss = reference.softmaxCrossEntropy(logits, labels, expectedProbs, expectedD, scale);
            double loss = backend.softmaxCrossEntropy(logits, labels, probs, dlogits, scale);
            if (!(Math.abs(loss - expectedLoss) <= 1e-12 * Math.abs(expectedLoss))) {
                throw new CheckFailed("loss " + loss + ", reference " + expectedLoss);
            }
            compare("probs", probs, expectedProbs, 1);
            compare("dlogits", dlogits, expectedD, 1);
            double noGrad = backend.softmaxCrossEntropy(logits, labels, probs, null, scale);
            if (!(Math.abs(noGrad - expectedLoss) <= 1e-12 * Math.abs(expectedLoss))) {
                throw new CheckFailed("loss without dlogits " + noGrad + ", reference " + expectedLoss);
            }
        }
    }

    /** softmaxCrossEntropyMean on resident tensors: the mean loss stays in backend memory until synchronize(). */
    private void crossEntropyMean(int rows, int cols) {
        Random rnd = new Random(rows * 17L + cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor logits = random(arena, rnd, rows, cols);
            Tensor labels = classIndices(arena, rnd, rows, cols);
            Tensor expectedProbs = Tensor.allocate(arena, rows, cols);
            Tensor expectedD = Tensor.allocate(arena, rows, cols);
            float scale = 1f / rows;
            float expectedMean = (float) (reference.softmaxCrossEntropy(logits, labels, expectedProbs, expectedD, scale) / rows);
            Tensor probs = backend.allocate(arena, rows, cols);
            Tensor dlogits = backend.allocate(arena, rows, cols);
            Tensor mean = backend.allocate(arena, 1);
            backend.softmaxCrossEntropyMean(onBackend.copyOf(arena, logits), onBackend.copyOf(arena, labels), probs, dlogits,
                    scale, mean);
            backend.synchronize();
            compare("mean loss", mean, Tensor.allocate(arena, 1).fill(expectedMean), 1);
            compare("resident probs", probs, expectedProbs, 1);
            compare("resident dlogits", dlogits, expectedD, 1);
        }
    }

    /** Exact: a count. Logits drawn from few values so that ties are common, a NaN in every seventh row. */
    private void countCorrect(int rows, int cols) {
        Random rnd = new Random(rows * 7L + cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor logits = Tensor.allocate(arena, rows, cols);
            for (long i = 0; i < logits.size(); i++) {
                logits.set(i, rnd.nextInt(3));
            }
            for (int r = 0; r < rows; r += 7) {
                logits.set(r, rnd.nextInt(cols), Float.NaN);
            }
            Tensor labels = classIndices(arena, rnd, rows, cols);
            Tensor expected = Tensor.allocate(arena, 1);
            reference.countCorrect(logits, labels, expected);
            Tensor onHost = Tensor.allocate(arena, 1);
            backend.countCorrect(logits, labels, onHost);
            compare("correct count (host tensors)", onHost, expected, 0);
            Tensor resident = backend.allocate(arena, 1);
            backend.countCorrect(onBackend.copyOf(arena, logits), onBackend.copyOf(arena, labels), resident);
            backend.synchronize();
            compare("correct count (resident tensors)", resident, expected, 0);
        }
    }

    /** Host -> backend, backend -> backend (a view), fill, backend -> host: the bits arrive unchanged. */
    private void copyAndFill() {
        Random rnd = new Random(5);
        int n = 1031;
        try (Arena arena = Arena.ofConfined()) {
            Tensor host = random(arena, rnd, n);
            Tensor a = backend.allocate(arena, n);
            Tensor b = backend.allocate(arena, n + 7);
            Tensor back = Tensor.allocate(arena, n + 7);
            backend.copy(host, a);
            backend.fill(b, -2.5f);
            backend.copy(a.rows(3, n - 3), b.rows(5, n - 3));
            backend.copy(b, back); // into host memory: complete when copy returns
            Tensor expected = Tensor.allocate(arena, n + 7).fill(-2.5f);
            for (int i = 0; i < n - 3; i++) {
                expected.set(5 + i, host.get(3 + i));
            }
            compare("copied and filled", back, expected, 0);
            backend.synchronize();
            compare("resident source", a, host, 0);
        }
    }

    /** Every optimizer kernel in each of its branches, twice in a row (so states carry over): bit-exact. */
    private void optimizers(int n) {
        Random rnd = new Random(n);
        try (Arena arena = Arena.ofConfined()) {
            Tensor g = random(arena, rnd, n);
            for (float wd : new float[] {0f, 0.01f}) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean on = variant % 2 == 1;
                    boolean other = variant >= 2;
                    Pair p = new Pair(arena, random(arena, rnd, n));
                    Pair s1 = new Pair(arena, positive(arena, rnd, n));
                    Pair s2 = new Pair(arena, positive(arena, rnd, n));
                    Pair s3 = new Pair(arena, positive(arena, rnd, n));
                    String where = " (wd=" + wd + ", variant " + variant + ")";
                    for (int step = 0; step < 2; step++) {
                        float first = step == 0 ? 1f : 0f;
                        update(SGD.UPDATE, p, g, new Pair[] {on ? s1 : null}, wd, 0.9f, 0.75f, other ? 1f : 0f, first,
                                -0.05f);
                        p.compare("sgd p" + where);
                        s1.compare("sgd buf" + where);
                        update(Adagrad.UPDATE, p, g, new Pair[] {s2}, wd, -0.01f, 1e-10f);
                        p.compare("adagrad p" + where);
                        s2.compare("adagrad sum" + where);
                        update(Adadelta.UPDATE, p, g, new Pair[] {s1, s3}, wd, 0.9f, 0.1f, 1e-6f, -1f);
                        p.compare("adadelta p" + where);
                        s3.compare("adadelta acc_delta" + where);
                        // centered: grad_avg stays small against square_avg, so sqrt(sq - ga^2) is real
                        Pair ga = new Pair(arena, Tensor.allocate(arena, n));
                        update(RMSprop.UPDATE, p, g, new Pair[] {s2, on ? ga : null, other ? s3 : null}, wd, 0.99f,
                                0.01f, 1e-8f, 0.5f, -0.01f);
                        p.compare("rmsprop p" + where);
                        s2.compare("rmsprop square_avg" + where);
                        ga.compare("rmsprop grad_avg" + where);
                        s3.compare("rmsprop buf" + where);
                        float decay = other ? 0.999f : 1f;
                        update(Adam.UPDATE, p, g, new Pair[] {s1, s2, on ? s3 : null}, decay, wd, 0.9f, 0.1f, 0.999f,
                                0.001f, -0.001f, 0.0447f, 1e-8f);
                        p.compare("adam p" + where);
                        s1.compare("adam exp_avg" + where);
                        s2.compare("adam exp_avg_sq" + where);
                        s3.compare("adam max_exp_avg_sq" + where);
                        // a rule the backend has no kernel for: its reference on host copies of resident tensors
                        update(HOST_ONLY, p, g, new Pair[] {s1}, 0.5f);
                        p.compare("host-only rule p" + where);
                        s1.compare("host-only rule state" + where);
                    }
                }
            }
        }
    }

    /** {@code state = state * 0.5 + g; p = fma(state, s0, p)}: a rule no backend carries a kernel for. */
    private static final UpdateRule HOST_ONLY = new UpdateRule("dev.panamax.check.HostOnly",
            List.of("param", "grad", "state"), Set.of(), List.of("rate")) {
        @Override
        public void reference(Tensor[] t, float[] s) {
            for (long i = 0; i < t[0].size(); i++) {
                float state = Math.fma(t[2].get(i), 0.5f, t[1].get(i));
                t[2].set(i, state);
                t[0].set(i, Math.fma(state, s[0], t[0].get(i)));
            }
        }
    };

    /** One step of {@code rule} on the reference copies (its reference loop) and on the backend under test. */
    private void update(UpdateRule rule, Pair p, Tensor g, Pair[] states, float... scalars) {
        Tensor[] ref = new Tensor[2 + states.length];
        Tensor[] dut = new Tensor[2 + states.length];
        ref[0] = p.ref;
        dut[0] = p.dut;
        ref[1] = g;
        dut[1] = g;
        for (int i = 0; i < states.length; i++) {
            ref[2 + i] = states[i] == null ? null : states[i].ref;
            dut[2 + i] = states[i] == null ? null : states[i].dut;
        }
        rule.reference(ref, scalars);
        new Compute(backend).updateKernel(rule).apply(dut, scalars);
    }

    /** The same state on the reference and on the backend under test. */
    private static final class Pair {
        final Tensor ref;
        final Tensor dut;

        Pair(Arena arena, Tensor initial) {
            ref = initial;
            dut = copy(arena, initial);
        }

        void compare(String what) {
            CudaEquivalence.compare(what, dut, ref, 0);
        }
    }

    // ---------------------------------------------------------------- training

    private void training() {
        int[] sizes = {32, 64, 10};
        int batch = 16;
        Random rnd = new Random(42);
        try (Arena arena = Arena.ofConfined();
             Mlp onGpu = Mlp.create(sizes, Activation.RELU, 7);
             Mlp onRef = Mlp.create(sizes, Activation.RELU, 7)) {
            Tensor x = random(arena, rnd, batch, sizes[0]);
            Tensor labels = classIndices(arena, rnd, batch, sizes[2]);
            Compute ref = new Compute(reference);
            float[] gpuParams = train(onBackend, onGpu, x, labels, true);
            float[] refParams = train(ref, onRef, x, labels, false);
            double maxAbs = 0;
            for (float v : refParams) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            double tolerance = 1e-4 * maxAbs;
            for (int i = 0; i < refParams.length; i++) {
                double diff = Math.abs((double) gpuParams[i] - refParams[i]);
                if (!(diff <= tolerance)) {
                    throw new CheckFailed("parameter " + i + " after 5 steps: " + gpuParams[i] + ", reference " + refParams[i]
                            + ", |diff| " + diff + " > " + tolerance);
                }
            }
        }
    }

    /**
     * The real training path ({@link Trainer}) with the model, graph and optimizer state in backend
     * memory: losses and parameters as the reference's, and on the cuda backend one wait per step and
     * no host-tensor mirror allocated (nothing crosses PCIe but the batch and the loss).
     */
    private void residentTraining() {
        int[] sizes = {32, 64, 10};
        int batch = 16;
        int steps = 5;
        Random rnd = new Random(43);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, rnd, batch, sizes[0]);
            Tensor labels = classIndices(arena, rnd, batch, sizes[2]);
            Compute ref = new Compute(reference);
            float[] refLosses = new float[steps];
            float[] gpuLosses = new float[steps];
            float[] refParams = trainerSteps(ref, x, labels, refLosses);
            long mirrorsBefore = backend instanceof CudaBackend cuda ? cuda.deviceAllocations() : 0;
            float[] gpuParams = trainerSteps(onBackend, x, labels, gpuLosses);
            if (backend instanceof CudaBackend cuda && cuda.asynchronous()) {
                // counted on the last step: the first also records the graph, whose allocations wait for their zero fill
                if (cuda.deviceAllocations() != mirrorsBefore) {
                    throw new CheckFailed((cuda.deviceAllocations() - mirrorsBefore) + " host-tensor mirrors allocated: "
                            + "some tensor of the training step is not in backend memory");
                }
                if (lastStepWaits != 1) {
                    throw new CheckFailed("a steady-state training step waited " + lastStepWaits + " times, expected once");
                }
            }
            double maxAbs = 0;
            for (float v : refParams) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            for (int s = 0; s < steps; s++) {
                if (!(Math.abs((double) gpuLosses[s] - refLosses[s]) <= 1e-4 * Math.abs(refLosses[s]))) {
                    throw new CheckFailed("loss of step " + (s + 1) + ": " + gpuLosses[s] + ", reference " + refLosses[s]);
                }
            }
            for (int i = 0; i < refParams.length; i++) {
                double diff = Math.abs((double) gpuParams[i] - refParams[i]);
                if (!(diff <= 1e-4 * maxAbs)) {
                    throw new CheckFailed("parameter " + i + " after " + steps + " resident steps: " + gpuParams[i]
                            + ", reference " + refParams[i] + ", |diff| " + diff + " > " + 1e-4 * maxAbs);
                }
            }
        }
    }

    /** Waits of the last step in {@link #trainerSteps} on a CudaBackend (-1 elsewhere). */
    private long lastStepWaits = -1;

    private float[] trainerSteps(Compute compute, Tensor x, Tensor labels, float[] losses) {
        int[] sizes = {32, 64, 10};
        try (Mlp mlp = Mlp.create(sizes, Activation.RELU, 7, compute);
             Optimizer opt = OptimizerSpec.parse("sgd(lr=0.1, momentum=0.9)").create(Parameter.of(mlp), compute);
             Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, opt, compute, sizes[0], sizes[2])) {
            for (int step = 0; step < losses.length; step++) {
                long before = compute.backend() instanceof CudaBackend cuda ? cuda.synchronizations() : 0;
                losses[step] = trainer.trainStep(x, labels);
                if (compute.backend() instanceof CudaBackend cuda) {
                    lastStepWaits = cuda.synchronizations() - before;
                }
            }
            compute.synchronize();
            return flatten(Parameter.of(mlp));
        }
    }

    private static float[] flatten(List<Parameter> params) {
        int total = 0;
        for (Parameter p : params) {
            total += (int) p.value().size();
        }
        float[] out = new float[total];
        int at = 0;
        for (Parameter p : params) {
            float[] v = p.value().toArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** Five steps; returns all parameters flattened. On the GPU, also checks the steady state allocates no device memory. */
    private float[] train(Compute compute, Mlp mlp, Tensor x, Tensor labels, boolean checkAllocations) {
        List<Parameter> params = Parameter.of(mlp);
        try (Graph g = new Graph(compute, true);
             Optimizer opt = OptimizerSpec.parse("sgd(lr=0.1, momentum=0.9)").create(params, compute)) {
            Variable loss = g.crossEntropy(mlp.forward(g, g.input("x", x)), g.input("labels", labels));
            long allocationsAfterFirstStep = -1;
            for (int step = 0; step < 5; step++) {
                g.forward();
                g.backward(loss);
                opt.step();
                mlp.zeroGrad();
                if (step == 1 && backend instanceof CudaBackend cuda) {
                    allocationsAfterFirstStep = cuda.deviceAllocations();
                }
            }
            if (checkAllocations && backend instanceof CudaBackend cuda
                    && cuda.deviceAllocations() != allocationsAfterFirstStep) {
                throw new CheckFailed("device allocations grew from " + allocationsAfterFirstStep + " after step 2 to "
                        + cuda.deviceAllocations() + " after step 5: the buffer cache is not reused");
            }
            return flatten(params);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Tensor random(Arena arena, Random rnd, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) rnd.nextGaussian());
        }
        return t;
    }

    /** {@code n} random class indices in [0, classes), stored as floats like every label tensor. */
    private static Tensor classIndices(Arena arena, Random rnd, int n, int classes) {
        Tensor t = Tensor.allocate(arena, n);
        for (int i = 0; i < n; i++) {
            t.set(i, rnd.nextInt(classes));
        }
        return t;
    }

    private static Tensor positive(Arena arena, Random rnd, int n) {
        Tensor t = Tensor.allocate(arena, n);
        for (long i = 0; i < n; i++) {
            t.set(i, (float) Math.abs(rnd.nextGaussian()) + 0.1f);
        }
        return t;
    }

    private static Tensor copy(Arena arena, Tensor t) {
        return Tensor.allocate(arena, t.shape()).copyFrom(t);
    }

    /** Elementwise: equal bits (NaN matches NaN), or within {@code ulps} units in the last place of the reference. */
    static void compare(String what, Tensor actual, Tensor expected, int ulps) {
        for (long i = 0; i < expected.size(); i++) {
            float a = actual.get(i);
            float e = expected.get(i);
            if (Float.floatToIntBits(a) == Float.floatToIntBits(e)) {
                continue;
            }
            if (ulps > 0 && !Float.isNaN(a) && !Float.isNaN(e) && Math.abs((double) a - e) <= ulps * (double) Math.ulp(e)) {
                continue;
            }
            throw new CheckFailed(what + "[" + i + "] = " + a + " (0x" + Integer.toHexString(Float.floatToRawIntBits(a))
                    + "), reference " + e + " (0x" + Integer.toHexString(Float.floatToRawIntBits(e)) + ")"
                    + (ulps == 0 ? ", expected bit-exact" : ", beyond " + ulps + " ulp"));
        }
    }
}
