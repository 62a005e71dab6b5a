package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.optim.Adadelta;
import dev.panamax.optim.Adagrad;
import dev.panamax.optim.Adam;
import dev.panamax.optim.RMSprop;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every backend that loads here against the scalar reference, through {@link Compute}, for the
 * elementwise, softmax and optimizer kernels: shapes whose sizes break vector tails, edge values
 * (+-0, large |x|, infinities, NaN), and bit-exact optimizer steps.
 */
class ElementwiseEquivalenceTest {
    /** Float machine epsilon 2^-23 (two unit roundoffs). */
    private static final double EPS_F32 = Math.ulp(1f);
    /**
     * Transcendental tolerance in ulps of the reference (double, rounded once: within 0.5 ulp of the
     * truth): a vector exp/tanh is about 1 ulp, and sigmoid adds an add and a divide (0.5 ulp each),
     * so 4 ulps bounds the difference with slack.
     */
    private static final double TRANSCENDENTAL_ULPS = 4;

    private static final List<Backend> BACKENDS = TestBackends.available(2);
    private static final Compute REFERENCE = new Compute(new ScalarBackend());
    /** (rows, cols): 1, 7, 17, 33, 1025 columns break the 16-lane tails. */
    private static final int[][] SHAPES = {{1, 1}, {3, 7}, {5, 17}, {4, 33}, {2, 1025}, {9, 16}};
    /** Values that must survive every kernel: zeros, saturating magnitudes, infinities, NaN. */
    private static final float[] EDGE_VALUES = {0f, -0f, 100f, -100f, 50f, -50f, 1e4f, -1e4f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f, -1e-30f, 20f, -20f, 0.5f, 1f};

    @AfterAll
    static void closeBackends() {
        BACKENDS.forEach(Backend::close);
    }

    private interface Check {
        void run(Backend backend, Arena arena, Random random, int rows, int cols);
    }

    private static List<DynamicTest> onEveryBackendAndShape(String what, Check check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            for (int[] s : SHAPES) {
                tests.add(DynamicTest.dynamicTest(backend.name() + " " + what + " " + s[0] + "x" + s[1], () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        check.run(backend, arena, new Random(s[0] * 1000L + s[1]), s[0], s[1]);
                    }
                }));
            }
        }
        return tests;
    }

    // ---------------------------------------------------------------- activations

    @TestFactory
    List<DynamicTest> biasActivationMatches() {
        return onEveryBackendAndShape("biasActivation", (backend, arena, random, rows, cols) -> {
            for (Activation act : Activation.values()) {
                for (boolean withBias : new boolean[] {false, true}) {
                    Tensor x = randomTensor(arena, random, 4f, rows, cols);
                    sprinkleEdgeValues(x, random);
                    Tensor bias = withBias ? randomTensor(arena, random, 1f, cols) : null;
                    Tensor expected = Tensor.allocate(arena, rows, cols);
                    Tensor actual = Tensor.allocate(arena, rows, cols);
                    REFERENCE.biasActivation(x, bias, act, expected);
                    new Compute(backend).biasActivation(x, bias, act, actual);
                    boolean exact = act == Activation.IDENTITY || act == Activation.RELU;
                    assertClose(backend + " " + act + (withBias ? " with bias" : ""), expected, actual,
                            i -> exact ? 0 : transcendentalBound(expected.get(i)));
                }
            }
        });
    }

    @TestFactory
    List<DynamicTest> activationBackwardIsExact() {
        // the same float operations in the same order as the reference: bit for bit
        return onEveryBackendAndShape("activationBackward", (backend, arena, random, rows, cols) -> {
            for (Activation act : Activation.values()) {
                Tensor x = randomTensor(arena, random, 2f, rows, cols);
                sprinkleEdgeValues(x, random);
                Tensor y = Tensor.allocate(arena, rows, cols);
                REFERENCE.activation(act, x, y);
                Tensor dy = randomTensor(arena, random, 1f, rows, cols);
                Tensor expected = Tensor.allocate(arena, rows, cols);
                Tensor actual = Tensor.allocate(arena, rows, cols).copyFrom(dy);
                REFERENCE.activationBackward(act, x, y, dy, expected);
                new Compute(backend).activationBackward(act, x, y, actual, actual); // in place: dx aliases dy
                assertClose(backend + " " + act + "'", expected, actual, i -> 0);
            }
        });
    }

    // ---------------------------------------------------------------- level 1

    @TestFactory
    List<DynamicTest> axpyAndScaleAreExact() {
        return onEveryBackendAndShape("axpy/scale", (backend, arena, random, rows, cols) -> {
            Tensor x = randomTensor(arena, random, 3f, rows, cols);
            Tensor y0 = randomTensor(arena, random, 3f, rows, cols);
            Tensor expected = Tensor.allocate(arena, rows, cols).copyFrom(y0);
            Tensor actual = Tensor.allocate(arena, rows, cols).copyFrom(y0);
            REFERENCE.axpy(-0.37f, x, expected);
            new Compute(backend).axpy(-0.37f, x, actual);
            assertClose(backend + " axpy", expected, actual, i -> 0);
            REFERENCE.scale(1.7f, expected);
            new Compute(backend).scale(1.7f, actual);
            assertClose(backend + " scale", expected, actual, i -> 0);
        });
    }

    @TestFactory
    List<DynamicTest> columnSumsMatch() {
        return onEveryBackendAndShape("columnSums", (backend, arena, random, rows, cols) -> {
            for (float beta : new float[] {0f, 1f, -0.5f}) {
                Tensor x = randomTensor(arena, random, 1f, rows, cols);
                Tensor out0 = Tensor.allocate(arena, cols);
                if (beta == 0f) {
                    out0.fill(Float.NaN); // beta == 0 must not read out
                } else {
                    out0.copyFrom(randomTensor(arena, random, 1f, cols));
                }
                Tensor expected = Tensor.allocate(arena, cols).copyFrom(out0);
                Tensor actual = Tensor.allocate(arena, cols).copyFrom(out0);
                REFERENCE.columnSums(x, beta, expected);
                new Compute(backend).columnSums(x, beta, actual);
                // float accumulation down R rows: within (R + 1) eps of sum_i |x_ij| + |beta out_j|
                assertClose(backend + " columnSums beta=" + beta, expected, actual, j -> {
                    double magnitude = beta == 0f ? 0 : Math.abs(beta * out0.get(j));
                    for (int i = 0; i < rows; i++) {
                        magnitude += Math.abs(x.get(i, (int) j));
                    }
                    return (rows + 1) * EPS_F32 * magnitude;
                });
            }
        });
    }

    // ---------------------------------------------------------------- softmax family

    @TestFactory
    List<DynamicTest> softmaxFamilyMatches() {
        return onEveryBackendAndShape("softmax", (backend, arena, random, rows, cols) -> {
            Tensor x = randomTensor(arena, random, 8f, rows, cols);
            if (cols > 1) {
                x.set(0, 1e4f); // a huge logit must not overflow
                x.set(1, -1e4f);
            }
            // each output is within (C + 8) eps relative: float sum of C exponentials (C eps), the
            // exponential itself and the division (a few ulps)
            double relative = (cols + 8) * EPS_F32;
            Tensor expected = Tensor.allocate(arena, rows, cols);
            Tensor actual = Tensor.allocate(arena, rows, cols);
            REFERENCE.softmaxRows(x, expected);
            new Compute(backend).softmaxRows(x, actual);
            assertClose(backend + " softmax", expected, actual, i -> relative * Math.abs(expected.get(i)) + 1e-37);

            // log-softmax: x - lse, with lse off by (C + 8) eps relative to the sum, i.e. absolute in the log,
            // plus the rounding of x - lse (eps of |x| + |lse|)
            REFERENCE.logSoftmaxRows(x, expected);
            new Compute(backend).logSoftmaxRows(x, actual);
            assertClose(backend + " logSoftmax", expected, actual,
                    i -> relative + 2 * EPS_F32 * (Math.abs(x.get(i)) + Math.abs(x.get(i) - expected.get(i))));

            Tensor labels = Tensor.allocate(arena, rows);
            for (int r = 0; r < rows; r++) {
                labels.set(r, random.nextInt(cols));
            }
            Tensor dExpected = Tensor.allocate(arena, rows, cols);
            Tensor dActual = Tensor.allocate(arena, rows, cols);
            float gradScale = 1f / rows;
            double lossExpected = REFERENCE.softmaxCrossEntropy(x, labels, expected, dExpected, gradScale);
            double lossActual = new Compute(backend).softmaxCrossEntropy(x, labels, actual, dActual, gradScale);
            assertClose(backend + " cross-entropy probs", expected, actual,
                    i -> relative * Math.abs(expected.get(i)) + 1e-37);
            // dlogits = (p - onehot) * scale: the error of p, scaled, plus one rounding
            assertClose(backend + " cross-entropy dlogits", dExpected, dActual,
                    i -> (relative * Math.abs(expected.get(i)) + EPS_F32 * Math.abs(dExpected.get(i))) * 1.01
                            + 1e-37);
            double lossBound = 0;
            for (int r = 0; r < rows; r++) {
                double maxAbs = 0;
                for (int j = 0; j < cols; j++) {
                    maxAbs = Math.max(maxAbs, Math.abs(x.get(r, j)));
                }
                lossBound += relative + 2 * EPS_F32 * maxAbs; // per row: the lse error, as above
            }
            assertEquals(lossExpected, lossActual, lossBound, backend + " cross-entropy loss");

            Tensor dNone = null;
            double lossNoBackward = new Compute(backend).softmaxCrossEntropy(x, labels, actual, dNone, gradScale);
            assertEquals(lossActual, lossNoBackward, 0, "the loss does not depend on whether dlogits is asked");
        });
    }

    @TestFactory
    List<DynamicTest> softmaxPropagatesNaNPerRow() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            tests.add(DynamicTest.dynamicTest(backend.name() + " softmax NaN row", () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor x = randomTensor(arena, new Random(3), 1f, 2, 19);
                    x.set(1, 18, Float.NaN);
                    Tensor y = Tensor.allocate(arena, 2, 19);
                    new Compute(backend).softmaxRows(x, y);
                    for (int j = 0; j < 19; j++) {
                        if (!Float.isFinite(y.get(0, j))) {
                            fail("row without NaN must stay finite, got " + y.get(0, j) + " at " + j);
                        }
                        if (!Float.isNaN(y.get(1, j))) {
                            fail("row with a NaN must be NaN throughout, got " + y.get(1, j) + " at " + j);
                        }
                    }
                }
            }));
        }
        return tests;
    }

    // ---------------------------------------------------------------- optimizers, bit for bit

    @TestFactory
    List<DynamicTest> optimizerStepsAreBitExact() {
        List<DynamicTest> tests = new ArrayList<>();
        int[] sizes = {1, 7, 17, 33, 1025};
        for (Backend backend : BACKENDS) {
            for (int n : sizes) {
                tests.add(DynamicTest.dynamicTest(backend.name() + " optimizers n=" + n, () -> {
                    for (float wd : new float[] {0f, 0.01f}) {
                        for (int variant = 0; variant < 4; variant++) {
                            boolean flagA = (variant & 1) != 0;
                            boolean flagB = (variant & 2) != 0;
                            float nesterov = flagA ? 1f : 0f;
                            float first = flagB && !flagA ? 1f : 0f;
                            compareStep(backend, n, 3, s -> s.update(SGD.UPDATE, s.states(flagA || flagB ? s.b1 : null),
                                    wd, 0.9f, 0.9f, nesterov, first, -0.01f), "sgd " + variant);
                            compareStep(backend, n, 1, s -> s.update(Adagrad.UPDATE, s.states(s.b1), wd, -0.01f, 1e-10f),
                                    "adagrad");
                            compareStep(backend, n, 2, s -> s.update(Adadelta.UPDATE, s.states(s.b1, s.b2), wd, 0.9f,
                                    0.1f, 1e-6f, -1f), "adadelta");
                            compareStep(backend, n, 3, s -> s.update(RMSprop.UPDATE, s.states(s.b1,
                                    flagA ? s.b2 : null, flagB ? s.b3 : null), wd, 0.99f, 0.01f, 1e-8f, 0.9f, -0.01f),
                                    "rmsprop " + variant);
                            compareStep(backend, n, 3, s -> s.update(Adam.UPDATE, s.states(s.b1, s.b2,
                                    flagA ? s.b3 : null), flagB ? 0.999f : 1f, wd, 0.9f, 0.1f, 0.999f, 0.001f,
                                    -0.001f, 0.0316f, 1e-8f), "adam " + variant);
                        }
                    }
                }));
            }
        }
        return tests;
    }

    /** Parameter, gradient and up to three state buffers (non-negative, as squares and sums are). */
    private record State(Compute compute, Tensor p, Tensor g, Tensor b1, Tensor b2, Tensor b3) {
        Tensor[] all() {
            return new Tensor[] {p, b1, b2, b3};
        }

        /** The operands of an update: p, g, then the given states (null where a state is off). */
        Tensor[] states(Tensor... states) {
            Tensor[] t = new Tensor[2 + states.length];
            t[0] = p;
            t[1] = g;
            System.arraycopy(states, 0, t, 2, states.length);
            return t;
        }

        void update(UpdateRule rule, Tensor[] operands, float... scalars) {
            compute.updateKernel(rule).apply(operands, scalars);
        }
    }

    private static void compareStep(Backend backend, int n, int buffers, Consumer<State> step, String what) {
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(n * 31L + what.hashCode());
            State expected = randomState(REFERENCE, arena, random, n);
            State actual = copyState(new Compute(backend), arena, expected);
            for (int round = 0; round < 3; round++) { // several steps: state written by one is read by the next
                step.accept(expected);
                step.accept(actual);
            }
            Tensor[] e = expected.all();
            Tensor[] a = actual.all();
            for (int t = 0; t <= buffers; t++) {
                assertClose(backend + " " + what + " tensor " + t, e[t], a[t], i -> 0);
            }
        }
    }

    private static State randomState(Compute compute, Arena arena, Random random, int n) {
        Tensor p = randomTensor(arena, random, 1f, n);
        Tensor g = randomTensor(arena, random, 1f, n);
        Tensor b1 = randomTensor(arena, random, 1f, n);
        Tensor b2 = randomTensor(arena, random, 1f, n);
        Tensor b3 = randomTensor(arena, random, 1f, n);
        for (Tensor t : new Tensor[] {b1, b2, b3}) {
            for (long i = 0; i < n; i++) {
                t.set(i, Math.abs(t.get(i))); // squares and accumulated squares are non-negative
            }
        }
        return new State(compute, p, g, b1, b2, b3);
    }

    private static State copyState(Compute compute, Arena arena, State s) {
        return new State(compute, copy(arena, s.p()), copy(arena, s.g()), copy(arena, s.b1()), copy(arena, s.b2()),
                copy(arena, s.b3()));
    }

    // ---------------------------------------------------------------- helpers

    private interface Bound {
        double at(long index);
    }

    /** Same NaN-ness everywhere, and |expected - actual| <= bound(i) elsewhere (0: bit-identical). */
    private static void assertClose(String what, Tensor expected, Tensor actual, Bound bound) {
        for (long i = 0; i < expected.size(); i++) {
            float e = expected.get(i);
            float a = actual.get(i);
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) {
                    fail(what + " [" + i + "]: reference " + e + ", got " + a);
                }
                continue;
            }
            double allowed = bound.at(i);
            boolean ok = allowed == 0 ? Float.floatToIntBits(e) == Float.floatToIntBits(a)
                    : e == a || Math.abs((double) e - a) <= allowed;
            if (!ok) {
                fail(what + " [" + i + "]: reference " + e + ", got " + a + ", allowed difference " + allowed);
            }
        }
    }

    /** TRANSCENDENTAL_ULPS ulps of the reference; results below the normal range may flush to zero. */
    private static double transcendentalBound(float expected) {
        return TRANSCENDENTAL_ULPS * Math.ulp(expected) + Float.MIN_NORMAL;
    }

    private static Tensor randomTensor(Arena arena, Random random, float scale, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (random.nextFloat() * 2f - 1f) * scale);
        }
        return t;
    }

    private static void sprinkleEdgeValues(Tensor t, Random random) {
        for (long i = 0; i < t.size(); i += 1 + random.nextInt(3)) {
            t.set(i, EDGE_VALUES[random.nextInt(EDGE_VALUES.length)]);
        }
    }

    private static Tensor copy(Arena arena, Tensor t) {
        return Tensor.allocate(arena, t.shape()).copyFrom(t);
    }
}
