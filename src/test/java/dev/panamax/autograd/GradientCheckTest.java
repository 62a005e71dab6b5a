package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Central finite differences against every op's backward.
 *
 * <p>The graph computes in float32, so the difference quotient is taken in double from float losses:
 * {@code fd = (L(x+h) - L(x-h)) / 2h}. Its error is the truncation O(h^2 L''') plus the rounding of
 * the two losses, about {@code 2 * eps_f32 * S / 2h} where S bounds the magnitude of the summed terms
 * (S <= ~50 for these small graphs): with h = 1e-2 that is 2 * 6e-8 * 50 / 2e-2 = 3e-4. The tolerance
 * {@code 2e-3 * max(1, |analytic|)} leaves a margin of ~6x over that bound, while a wrong formula
 * (missing factor 2, wrong sign, 1/B vs 1/N) is off by O(|grad|).
 */
class GradientCheckTest {
    private static final double H = 1e-2;
    private static final double TOLERANCE = 2e-3;

    private final Arena arena = Arena.ofShared();
    private final Compute compute = new Compute(new ScalarBackend());
    private final SplittableRandom rng = new SplittableRandom(7);

    @AfterEach
    void close() {
        arena.close();
    }

    private Variable param(String name, double lo, double hi, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) rng.nextDouble(lo, hi));
        }
        return Variable.parameter(name, t, arena);
    }

    private Variable constant(String name, float[] values, int... shape) {
        return Variable.constant(name, Tensor.of(arena, values, shape));
    }

    /**
     * Builds {@code out = op(params)}, reduces it to a scalar with a random weighting (unless it is
     * already a scalar), and checks every parameter's gradient element against finite differences.
     */
    private void check(List<Variable> params, BiFunction<Graph, List<Variable>, Variable> op) {
        try (Graph g = new Graph(compute, true)) {
            Variable out = op.apply(g, params);
            Variable loss = out;
            if (out.value().size() != 1) {
                float[] w = new float[(int) out.value().size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) rng.nextDouble(-1, 1);
                }
                loss = g.sum(g.mul(out, constant("weights", w, out.value().shape())));
            }
            for (Variable p : params) {
                p.zeroGrad();
            }
            g.backward(loss);
            for (Variable p : params) {
                float[] analytic = p.grad().toArray();
                Tensor v = p.value();
                for (long i = 0; i < v.size(); i++) {
                    float x0 = v.get(i);
                    v.set(i, (float) (x0 + H));
                    g.forward();
                    double up = loss.value().get(0);
                    v.set(i, (float) (x0 - H));
                    g.forward();
                    double down = loss.value().get(0);
                    v.set(i, x0);
                    double h2 = (double) (float) (x0 + H) - (float) (x0 - H);
                    double fd = (up - down) / h2;
                    double a = analytic[(int) i];
                    assertEquals(fd, a, TOLERANCE * Math.max(1, Math.abs(a)),
                            p.name() + "[" + i + "] analytic " + a + " vs finite difference " + fd);
                }
            }
        }
    }

    @Test
    void linear() {
        Variable x = param("x", -1, 1, 3, 4);
        Variable w = param("w", -1, 1, 5, 4);
        Variable b = param("b", -1, 1, 5);
        check(List.of(x, w, b), (g, p) -> g.linear(p.get(0), p.get(1), p.get(2)));
    }

    @Test
    void linearUsedTwiceAccumulatesItsGradients() {
        Variable x = param("x", -1, 1, 2, 3);
        Variable w = param("w", -1, 1, 3, 3);
        Variable b = param("b", -1, 1, 3);
        check(List.of(x, w, b), (g, p) -> g.linear(g.linear(p.get(0), p.get(1), p.get(2)), p.get(1), p.get(2)));
    }

    @Test
    void relu() {
        // values kept away from the kink at 0, where the derivative is not defined
        Variable x = param("x", 0.1, 1, 4, 5);
        Tensor v = x.value();
        for (long i = 0; i < v.size(); i += 2) {
            v.set(i, -v.get(i));
        }
        check(List.of(x), (g, p) -> g.relu(p.get(0)));
    }

    @Test
    void sigmoid() {
        check(List.of(param("x", -4, 4, 3, 7)), (g, p) -> g.sigmoid(p.get(0)));
    }

    @Test
    void tanh() {
        check(List.of(param("x", -3, 3, 3, 7)), (g, p) -> g.tanh(p.get(0)));
    }

    @Test
    void activationWhoseInputFeedsTwoOps() {
        Variable x = param("x", -2, 2, 2, 3);
        check(List.of(x), (g, p) -> g.add(g.tanh(p.get(0)), g.sigmoid(p.get(0))));
    }

    @Test
    void addAndMul() {
        Variable a = param("a", -1, 1, 2, 3);
        Variable b = param("b", -1, 1, 2, 3);
        check(List.of(a, b), (g, p) -> g.mul(g.add(p.get(0), p.get(1)), p.get(1)));
    }

    @Test
    void sumAndMean() {
        Variable a = param("a", -1, 1, 4, 3);
        check(List.of(a), (g, p) -> g.add(g.sum(g.mul(p.get(0), p.get(0))), g.mean(p.get(0))));
    }

    @Test
    void softmax() {
        check(List.of(param("x", -3, 3, 3, 6)), (g, p) -> g.softmax(p.get(0)));
    }

    @Test
    void logSoftmax() {
        check(List.of(param("x", -3, 3, 3, 6)), (g, p) -> g.logSoftmax(p.get(0)));
    }

    @Test
    void crossEntropy() {
        Variable labels = constant("labels", new float[] {2, 0, 5, 1}, 4);
        check(List.of(param("logits", -3, 3, 4, 6)), (g, p) -> g.crossEntropy(p.get(0), labels));
    }

    @Test
    void mse() {
        check(List.of(param("p", -1, 1, 3, 4), param("t", -1, 1, 3, 4)), (g, p) -> g.mse(p.get(0), p.get(1)));
    }

    @Test
    void gaussianNll() {
        Variable input = param("input", -1, 1, 3, 4);
        Variable target = param("target", -1, 1, 3, 4);
        Variable var = param("var", 0.5, 2, 3, 4);
        check(List.of(input, target, var), (g, p) -> g.gaussianNll(p.get(0), p.get(1), p.get(2), true, 1e-6f));
    }

    @Test
    void backwardRequiresAScalarThatDependsOnParameters() {
        try (Graph g = new Graph(compute, true)) {
            Variable x = param("x", -1, 1, 2, 2);
            Variable y = g.relu(x);
            var e = assertThrows(IllegalArgumentException.class, () -> g.backward(y));
            assertTrue(e.getMessage().contains("scalar"), e.getMessage());
        }
        try (Graph g = new Graph(compute, false)) {
            Variable x = param("x", -1, 1, 2, 2);
            Variable loss = g.sum(x);
            assertThrows(IllegalStateException.class, () -> g.backward(loss));
        }
    }

    @Test
    void parameterGradientsAccumulateUntilZeroGrad() {
        try (Graph g = new Graph(compute, true)) {
            Variable x = param("x", -1, 1, 3);
            Variable loss = g.sum(g.mul(x, x));
            g.backward(loss);
            float[] once = x.grad().toArray();
            g.backward(loss);
            float[] twice = x.grad().toArray();
            for (int i = 0; i < once.length; i++) {
                assertEquals(2 * x.value().get(i), once[i], 1e-6f);
                assertEquals(2 * once[i], twice[i], 1e-6f);
            }
            x.zeroGrad();
            assertArrayEquals(new float[3], x.grad().toArray());
        }
    }
}
