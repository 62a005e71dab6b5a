package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;

/**
 * A backend that implements only the core of the contract (GEMM and the elementwise families, here by
 * delegating to the scalar backend) and inherits every other kernel from {@link Backend}'s defaults: the
 * softmax family, cross-entropy and the optimizer steps. Tests run it to show what a new backend must
 * write and that the inherited references are the golden ones. Not final: tests derive backends that go
 * wrong in one kernel from it.
 */
public class CoreOnlyBackend implements Backend {
    private final Backend core = new ScalarBackend();

    @Override
    public String name() {
        return "core-only";
    }

    @Override
    public String describe() {
        return "the scalar backend's core, everything else inherited";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b, float beta,
                     Tensor c) {
        core.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        core.biasActivation(x, bias, act, y);
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        core.activationBackward(act, x, y, dy, dx);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        core.axpy(alpha, x, y);
    }

    @Override
    public void scale(float alpha, Tensor x) {
        core.scale(alpha, x);
    }

    @Override
    public void columnSums(Tensor x, float beta, Tensor out) {
        core.columnSums(x, beta, out);
    }
}
