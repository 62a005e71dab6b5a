package dev.panamax.backend.simd;

import dev.panamax.backend.AcceleratedUpdate;
import dev.panamax.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Kernels for the optimizer update rules this backend accelerates ({@link #KERNELS}), one pass over memory each. Every
 * operation is the one the contract names: FloatVector.fma where it says fma, plain lanewise
 * mul/add/sub, true DIV and lanewise SQRT (both correctly rounded) elsewhere, in the same order, so the
 * results are bit for bit those of the scalar reference. Tails (n mod 16 elements) run the same
 * formulas in scalar code with Math.fma.
 */
final class SimdOptimizers {
    private static final VectorSpecies<Float> F = SimdHardware.SPECIES;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    private SimdOptimizers() {
    }

    /**
     * The rules run here by name, each with the operands it was written for (the rules' own lists, checked
     * by {@link AcceleratedUpdate#resolve}); the formulas are in the rules' Javadoc ({@code dev.panamax.optim}).
     */
    static final Map<String, AcceleratedUpdate> KERNELS = AcceleratedUpdate.byRule(List.of(
            new AcceleratedUpdate("torch.optim.SGD", List.of("param", "grad", "momentum_buffer"),
                    List.of("weightDecay", "momentum", "dampComplement", "nesterov", "first", "negLr"),
                    (t, s) -> sgd(t[0].segment(), t[1].segment(), segmentOrNull(t[2]), t[0].size(),
                            s[0], s[1], s[2], s[3] != 0f, s[4] != 0f, s[5])),
            new AcceleratedUpdate("torch.optim.Adagrad", List.of("param", "grad", "sum"),
                    List.of("weightDecay", "negClr", "eps"),
                    (t, s) -> adagrad(t[0].segment(), t[1].segment(), t[2].segment(), t[0].size(), s[0], s[1], s[2])),
            new AcceleratedUpdate("torch.optim.Adadelta", List.of("param", "grad", "square_avg", "acc_delta"),
                    List.of("weightDecay", "rho", "oneMinusRho", "eps", "negLr"),
                    (t, s) -> adadelta(t[0].segment(), t[1].segment(), t[2].segment(), t[3].segment(), t[0].size(),
                            s[0], s[1], s[2], s[3], s[4])),
            new AcceleratedUpdate("torch.optim.RMSprop",
                    List.of("param", "grad", "square_avg", "grad_avg", "momentum_buffer"),
                    List.of("weightDecay", "alpha", "oneMinusAlpha", "eps", "momentum", "negLr"),
                    (t, s) -> rmsprop(t[0].segment(), t[1].segment(), t[2].segment(), segmentOrNull(t[3]),
                            segmentOrNull(t[4]), t[0].size(), s[0], s[1], s[2], s[3], s[4], s[5])),
            new AcceleratedUpdate("torch.optim.Adam",
                    List.of("param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                    List.of("decayFactor", "weightDecay", "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2",
                            "negStepSize", "bc2Sqrt", "eps"),
                    (t, s) -> adam(t[0].segment(), t[1].segment(), t[2].segment(), t[3].segment(),
                            segmentOrNull(t[4]), t[0].size(), s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]))));

    private static MemorySegment segmentOrNull(Tensor t) {
        return t == null ? null : t.segment();
    }

    private static FloatVector load(MemorySegment s, long at) {
        return FloatVector.fromMemorySegment(F, s, at, ORDER);
    }

    // p, g (N), buf (N) or null -> p, buf updated
    static void sgd(MemorySegment p, MemorySegment g, MemorySegment buf, long n, float weightDecay, float momentum,
                    float dampComplement, boolean nesterov, boolean first, float negLr) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector pi = load(p, at);
            FloatVector d = load(g, at);
            if (weightDecay != 0f) {
                d = pi.fma(FloatVector.broadcast(F, weightDecay), d);
            }
            if (buf != null) {
                FloatVector b = first ? d : d.fma(FloatVector.broadcast(F, dampComplement), load(buf, at).mul(momentum));
                b.intoMemorySegment(buf, at, ORDER);
                d = nesterov ? b.fma(FloatVector.broadcast(F, momentum), d) : b;
            }
            d.fma(FloatVector.broadcast(F, negLr), pi).intoMemorySegment(p, at, ORDER);
        }
        for (; i < n; i++) {
            long at = i * Float.BYTES;
            float pi = p.get(FLOAT, at);
            float d = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(FLOAT, at)) : g.get(FLOAT, at);
            if (buf != null) {
                float b = first ? d : Math.fma(d, dampComplement, buf.get(FLOAT, at) * momentum);
                buf.set(FLOAT, at, b);
                d = nesterov ? Math.fma(b, momentum, d) : b;
            }
            p.set(FLOAT, at, Math.fma(d, negLr, pi));
        }
    }

    // p, g, sum (N) -> p, sum updated
    static void adagrad(MemorySegment p, MemorySegment g, MemorySegment sum, long n, float weightDecay,
                        float negClr, float eps) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector pi = load(p, at);
            FloatVector gi = load(g, at);
            if (weightDecay != 0f) {
                gi = pi.fma(FloatVector.broadcast(F, weightDecay), gi);
            }
            FloatVector s = gi.fma(gi, load(sum, at));
            s.intoMemorySegment(sum, at, ORDER);
            FloatVector std = s.lanewise(VectorOperators.SQRT).add(eps);
            pi.add(gi.mul(negClr).div(std)).intoMemorySegment(p, at, ORDER);
        }
        for (; i < n; i++) {
            long at = i * Float.BYTES;
            float pi = p.get(FLOAT, at);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(FLOAT, at)) : g.get(FLOAT, at);
            float s = Math.fma(gi, gi, sum.get(FLOAT, at));
            sum.set(FLOAT, at, s);
            float std = sqrt(s) + eps;
            p.set(FLOAT, at, pi + (negClr * gi) / std);
        }
    }

    // p, g, squareAvg, accDelta (N) -> all but g updated
    static void adadelta(MemorySegment p, MemorySegment g, MemorySegment squareAvg, MemorySegment accDelta, long n,
                         float weightDecay, float rho, float oneMinusRho, float eps, float negLr) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector pi = load(p, at);
            FloatVector gi = load(g, at);
            if (weightDecay != 0f) {
                gi = pi.fma(FloatVector.broadcast(F, weightDecay), gi);
            }
            FloatVector sq = gi.mul(oneMinusRho).fma(gi, load(squareAvg, at).mul(rho));
            sq.intoMemorySegment(squareAvg, at, ORDER);
            FloatVector std = sq.add(eps).lanewise(VectorOperators.SQRT);
            FloatVector acc = load(accDelta, at);
            FloatVector delta = acc.add(eps).lanewise(VectorOperators.SQRT).div(std).mul(gi);
            delta.mul(oneMinusRho).fma(delta, acc.mul(rho)).intoMemorySegment(accDelta, at, ORDER);
            delta.fma(FloatVector.broadcast(F, negLr), pi).intoMemorySegment(p, at, ORDER);
        }
        for (; i < n; i++) {
            long at = i * Float.BYTES;
            float pi = p.get(FLOAT, at);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(FLOAT, at)) : g.get(FLOAT, at);
            float sq = Math.fma(oneMinusRho * gi, gi, squareAvg.get(FLOAT, at) * rho);
            squareAvg.set(FLOAT, at, sq);
            float std = sqrt(sq + eps);
            float acc = accDelta.get(FLOAT, at);
            float delta = sqrt(acc + eps) / std * gi;
            accDelta.set(FLOAT, at, Math.fma(oneMinusRho * delta, delta, acc * rho));
            p.set(FLOAT, at, Math.fma(delta, negLr, pi));
        }
    }

    // p, g, squareAvg (N), gradAvg (N) or null, buf (N) or null -> all but g updated
    static void rmsprop(MemorySegment p, MemorySegment g, MemorySegment squareAvg, MemorySegment gradAvg,
                        MemorySegment buf, long n, float weightDecay, float alpha, float oneMinusAlpha, float eps,
                        float momentum, float negLr) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector pi = load(p, at);
            FloatVector gi = load(g, at);
            if (weightDecay != 0f) {
                gi = pi.fma(FloatVector.broadcast(F, weightDecay), gi);
            }
            FloatVector sq = gi.mul(oneMinusAlpha).fma(gi, load(squareAvg, at).mul(alpha));
            sq.intoMemorySegment(squareAvg, at, ORDER);
            FloatVector avg;
            if (gradAvg != null) {
                FloatVector ga = gi.fma(FloatVector.broadcast(F, oneMinusAlpha), load(gradAvg, at).mul(alpha));
                ga.intoMemorySegment(gradAvg, at, ORDER);
                avg = ga.neg().fma(ga, sq).lanewise(VectorOperators.SQRT).add(eps);
            } else {
                avg = sq.lanewise(VectorOperators.SQRT).add(eps);
            }
            if (buf != null) {
                FloatVector b = load(buf, at).mul(momentum).add(gi.div(avg));
                b.intoMemorySegment(buf, at, ORDER);
                b.fma(FloatVector.broadcast(F, negLr), pi).intoMemorySegment(p, at, ORDER);
            } else {
                pi.add(gi.mul(negLr).div(avg)).intoMemorySegment(p, at, ORDER);
            }
        }
        for (; i < n; i++) {
            long at = i * Float.BYTES;
            float pi = p.get(FLOAT, at);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(FLOAT, at)) : g.get(FLOAT, at);
            float sq = Math.fma(oneMinusAlpha * gi, gi, squareAvg.get(FLOAT, at) * alpha);
            squareAvg.set(FLOAT, at, sq);
            float avg;
            if (gradAvg != null) {
                float ga = Math.fma(gi, oneMinusAlpha, gradAvg.get(FLOAT, at) * alpha);
                gradAvg.set(FLOAT, at, ga);
                avg = sqrt(Math.fma(-ga, ga, sq)) + eps;
            } else {
                avg = sqrt(sq) + eps;
            }
            if (buf != null) {
                float b = buf.get(FLOAT, at) * momentum + gi / avg;
                buf.set(FLOAT, at, b);
                p.set(FLOAT, at, Math.fma(b, negLr, pi));
            } else {
                p.set(FLOAT, at, pi + (negLr * gi) / avg);
            }
        }
    }

    // p, g, m, v (N), vmax (N) or null -> all but g updated
    static void adam(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, MemorySegment vmax, long n,
                     float decayFactor, float weightDecay, float beta1, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float negStepSize, float bc2Sqrt, float eps) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector pi = load(p, at);
            if (decayFactor != 1f) {
                pi = pi.mul(decayFactor);
            }
            FloatVector gi = load(g, at);
            if (weightDecay != 0f) {
                gi = pi.fma(FloatVector.broadcast(F, weightDecay), gi);
            }
            FloatVector mi = gi.fma(FloatVector.broadcast(F, oneMinusBeta1), load(m, at).mul(beta1));
            FloatVector vi = gi.mul(oneMinusBeta2).fma(gi, load(v, at).mul(beta2));
            mi.intoMemorySegment(m, at, ORDER);
            vi.intoMemorySegment(v, at, ORDER);
            if (vmax != null) {
                vi = load(vmax, at).max(vi);
                vi.intoMemorySegment(vmax, at, ORDER);
            }
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
            pi.add(mi.mul(negStepSize).div(denom)).intoMemorySegment(p, at, ORDER);
        }
        for (; i < n; i++) {
            long at = i * Float.BYTES;
            float pi = p.get(FLOAT, at);
            if (decayFactor != 1f) {
                pi = pi * decayFactor;
            }
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(FLOAT, at)) : g.get(FLOAT, at);
            float mi = Math.fma(gi, oneMinusBeta1, m.get(FLOAT, at) * beta1);
            float vi = Math.fma(oneMinusBeta2 * gi, gi, v.get(FLOAT, at) * beta2);
            m.set(FLOAT, at, mi);
            v.set(FLOAT, at, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(FLOAT, at), vi);
                vmax.set(FLOAT, at, vi);
            }
            float denom = sqrt(vi) / bc2Sqrt + eps;
            p.set(FLOAT, at, pi + (negStepSize * mi) / denom);
        }
    }

    /** Correctly rounded float square root (the double root of a float, rounded once, is exact). */
    private static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
