package dev.panamax.backend.scalar;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.ReferenceBlas;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * The reference backend: plain loops over {@link Tensor#get}/{@link Tensor#set}, reductions
 * accumulated in double. It is the oracle every other backend is tested against and the fallback
 * when nothing faster loads. Speed is not a goal here; obviousness is.
 *
 * <p>Optimizer kernels follow the float32 rules of the golden README literally (fma where torch's
 * kernels fuse, plain rounding elsewhere): they are bit-exact, not double-accumulated.
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

    // x (R,C) -> y (R,C)
    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        int rows = x.rows();
        int cols = x.cols();
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            double max = rowMax(x, base, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x.get(base + j) - max);
            }
            for (int j = 0; j < cols; j++) {
                y.set(base + j, (float) (Math.exp(x.get(base + j) - max) / sum));
            }
        }
    }

    // x (R,C) -> y (R,C)
    @Override
    public void logSoftmaxRows(Tensor x, Tensor y) {
        int rows = x.rows();
        int cols = x.cols();
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            double lse = logSumExp(x, base, cols);
            for (int j = 0; j < cols; j++) {
                y.set(base + j, (float) (x.get(base + j) - lse));
            }
        }
    }

    // logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null; returns sum of row losses
    @Override
    public double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        int rows = logits.rows();
        int cols = logits.cols();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            int label = (int) labels.get(i);
            double lse = logSumExp(logits, base, cols);
            total += lse - logits.get(base + label);
            for (int j = 0; j < cols; j++) {
                double p = Math.exp(logits.get(base + j) - lse);
                probs.set(base + j, (float) p);
                if (dlogits != null) {
                    double onehot = j == label ? 1.0 : 0.0;
                    dlogits.set(base + j, (float) ((p - onehot) * gradScale));
                }
            }
        }
        return total;
    }

    private static double rowMax(Tensor x, long base, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            float v = x.get(base + j);
            if (Float.isNaN(v)) {
                return Double.NaN;
            }
            max = Math.max(max, v);
        }
        return max;
    }

    private static double logSumExp(Tensor x, long base, int cols) {
        double max = rowMax(x, base, cols);
        if (Double.isInfinite(max)) {
            return max; // all -inf (or a +inf): the sum is dominated by max itself
        }
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += Math.exp(x.get(base + j) - max);
        }
        return max + Math.log(sum);
    }

    // ---------------------------------------------------------------- optimizers

    @Override
    public void sgdStep(Tensor p, Tensor g, Tensor buf, float weightDecay, float momentum, float dampComplement,
                        boolean nesterov, boolean first, float negLr) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            float d = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            if (buf != null) {
                float b = first ? d : Math.fma(d, dampComplement, buf.get(i) * momentum);
                buf.set(i, b);
                d = nesterov ? Math.fma(b, momentum, d) : b;
            }
            p.set(i, Math.fma(d, negLr, pi));
        }
    }

    @Override
    public void adagradStep(Tensor p, Tensor g, Tensor sum, float weightDecay, float negClr, float eps) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            float s = Math.fma(gi, gi, sum.get(i));
            sum.set(i, s);
            float std = sqrt(s) + eps;
            p.set(i, pi + (negClr * gi) / std);
        }
    }

    @Override
    public void adadeltaStep(Tensor p, Tensor g, Tensor squareAvg, Tensor accDelta, float weightDecay,
                             float rho, float oneMinusRho, float eps, float negLr) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            float sq = Math.fma(oneMinusRho * gi, gi, squareAvg.get(i) * rho);
            squareAvg.set(i, sq);
            float std = sqrt(sq + eps);
            float acc = accDelta.get(i);
            float delta = sqrt(acc + eps) / std * gi;
            accDelta.set(i, Math.fma(oneMinusRho * delta, delta, acc * rho));
            p.set(i, Math.fma(delta, negLr, pi));
        }
    }

    @Override
    public void rmspropStep(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor buf, float weightDecay,
                            float alpha, float oneMinusAlpha, float eps, float momentum, float negLr) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            float sq = Math.fma(oneMinusAlpha * gi, gi, squareAvg.get(i) * alpha);
            squareAvg.set(i, sq);
            float avg;
            if (gradAvg != null) {
                float ga = Math.fma(gi, oneMinusAlpha, gradAvg.get(i) * alpha);
                gradAvg.set(i, ga);
                avg = sqrt(Math.fma(-ga, ga, sq)) + eps;
            } else {
                avg = sqrt(sq) + eps;
            }
            if (buf != null) {
                float b = buf.get(i) * momentum + gi / avg;
                buf.set(i, b);
                p.set(i, Math.fma(b, negLr, pi));
            } else {
                p.set(i, pi + (negLr * gi) / avg);
            }
        }
    }

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vmax, float decayFactor, float weightDecay,
                         float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                         float negStepSize, float bc2Sqrt, float eps) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            if (decayFactor != 1f) {
                pi = pi * decayFactor;
            }
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            float mi = Math.fma(gi, oneMinusBeta1, m.get(i) * beta1);
            float vi = Math.fma(oneMinusBeta2 * gi, gi, v.get(i) * beta2);
            m.set(i, mi);
            v.set(i, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(i), vi);
                vmax.set(i, vi);
            }
            float denom = sqrt(vi) / bc2Sqrt + eps;
            p.set(i, pi + (negStepSize * mi) / denom);
        }
    }

    /** Correctly rounded float square root (the double sqrt of a float, rounded once, is exact). */
    private static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
