package dev.panamax.backend.scalar;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.reference.ReferenceBlas;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * The reference backend: plain loops over {@link Tensor#get}/{@link Tensor#set}, reductions
 * accumulated in double. It is the oracle every other backend is tested against and the fallback
 * when nothing faster loads. Speed is not a goal here; obviousness is.
 *
 * <p>It implements the core of the contract (GEMM and the elementwise families); the softmax family it
 * inherits from {@link Backend}'s defaults (the references in {@code dev.panamax.backend.reference}) and
 * the optimizer updates are their rules' own reference loops: both follow the golden README's float32
 * rules bit for bit.
 */
public final class ScalarBackend implements Backend {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String describe() {
        return "plain Java loops, double accumulation (reference)";
    }

    // A (m,k) or (k,m) if transA; B (k,n) or (n,k) if transB; C (m,n)
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        ReferenceBlas.gemm(transA, transB, m, n, k, alpha, a.segment(), 0, transA ? m : k, b.segment(), 0,
                transB ? k : n, beta, c.segment(), 0, n);
    }

    // strided storage: the reference itself, no staging
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        ReferenceBlas.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    // x (R,C), bias (C) or null -> y (R,C)
    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        int rows = x.rows();
        int cols = x.cols();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                long idx = (long) i * cols + j;
                float v = x.get(idx);
                if (bias != null) {
                    v += bias.get(j);
                }
                y.set(idx, apply(act, v));
            }
        }
    }

    /** The activation of one value, in double where a transcendental is involved, rounded once. */
    static float apply(Activation act, float v) {
        return switch (act) {
            case IDENTITY -> v;
            case RELU -> v > 0f ? v : (Float.isNaN(v) ? v : 0f);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-(double) v)));
            case TANH -> (float) Math.tanh(v);
        };
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        long n = dy.size();
        for (long i = 0; i < n; i++) {
            float g = dy.get(i);
            float d = switch (act) {
                case IDENTITY -> g;
                case RELU -> x.get(i) > 0f ? g : (Float.isNaN(x.get(i)) ? x.get(i) : 0f);
                case SIGMOID -> {
                    float s = y.get(i);
                    yield g * (s * (1f - s));
                }
                case TANH -> {
                    float t = y.get(i);
                    yield g * (1f - t * t);
                }
            };
            dx.set(i, d);
        }
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        for (long i = 0; i < x.size(); i++) {
            y.set(i, Math.fma(alpha, x.get(i), y.get(i)));
        }
    }

    @Override
    public void scale(float alpha, Tensor x) {
        for (long i = 0; i < x.size(); i++) {
            x.set(i, alpha * x.get(i));
        }
    }

    // x (R,C) -> out (C)
    @Override
    public void columnSums(Tensor x, float beta, Tensor out) {
        int rows = x.rows();
        int cols = x.cols();
        for (int j = 0; j < cols; j++) {
            double acc = beta == 0f ? 0.0 : (double) beta * out.get(j);
            for (int i = 0; i < rows; i++) {
                acc += x.get((long) i * cols + j);
            }
            out.set(j, (float) acc);
        }
    }
}
