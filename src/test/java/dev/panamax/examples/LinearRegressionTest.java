package dev.panamax.examples;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Linear;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first example: fit {@code y = w x + b} by full-batch gradient descent on the mean squared error
 * and land on the closed-form least-squares solution
 * {@code w* = cov(x, y) / var(x)}, {@code b* = mean(y) - w* mean(x)} (computed in double).
 *
 * <p>Convergence: the MSE's Hessian in (w, b) is {@code 2 [[E x^2, E x], [E x, 1]]}; for x ~ U(-1, 1)
 * its eigenvalues are about 2/3 and 2, so with lr = 0.1 gradient descent contracts the error by at least
 * (1 - 0.1 * 0.6) per step: after 600 steps by e^-36, far below float precision. What is left is float
 * rounding in the gradient (~1e-7 relative), hence the tolerance 1e-5.
 */
class LinearRegressionTest {
    private static final int N = 64;

    @Test
    void gradientDescentReachesTheLeastSquaresSolutionOnEveryBackend() {
        for (Backend backend : Backends.allAvailable(1)) {
            try (Compute compute = new Compute(backend); Arena arena = Arena.ofShared()) {
                SplittableRandom rng = new SplittableRandom(2024);
                Tensor x = Tensor.allocate(arena, N, 1);
                Tensor y = Tensor.allocate(arena, N, 1);
                for (int i = 0; i < N; i++) {
                    double xi = rng.nextDouble(-1, 1);
                    x.set(i, (float) xi);
                    y.set(i, (float) (3.0 * xi + 0.5 + 0.1 * rng.nextGaussian()));
                }
                double mx = 0, my = 0;
                for (int i = 0; i < N; i++) {
                    mx += x.get(i);
                    my += y.get(i);
                }
                mx /= N;
                my /= N;
                double sxy = 0, sxx = 0;
                for (int i = 0; i < N; i++) {
                    sxy += (x.get(i) - mx) * (y.get(i) - my);
                    sxx += (x.get(i) - mx) * (x.get(i) - mx);
                }
                double wStar = sxy / sxx;
                double bStar = my - wStar * mx;

                Linear model = new Linear(1, 1, rng, arena);
                try (Graph g = new Graph(compute, true);
                     Optimizer sgd = OptimizerSpec.parse("sgd(lr=0.1)").create(Parameter.of(model), compute)) {
                    Variable loss = g.mse(model.forward(g, g.input("x", x)), g.input("y", y));
                    for (int step = 0; step < 600; step++) {
                        g.forward();
                        model.zeroGrad();
                        g.backward(loss);
                        sgd.step();
                    }
                }
                float w = model.weight().value().get(0);
                float b = model.bias().value().get(0);
                assertEquals(wStar, w, 1e-5, "w on " + backend.name());
                assertEquals(bStar, b, 1e-5, "b on " + backend.name());
            }
        }
    }
}
