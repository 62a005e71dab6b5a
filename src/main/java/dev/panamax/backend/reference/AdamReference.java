package dev.panamax.backend.reference;

import dev.panamax.tensor.Tensor;

/**
 * torch.optim.Adam's and AdamW's update, one step ({@link dev.panamax.backend.Backend#adamStep}):
 * plain loops over {@link Tensor#get}/{@link Tensor#set} in the float32 rules of the golden README (fma where
 * torch's kernels fuse, plain rounding elsewhere): bit-exact, the oracle the other backends are checked
 * against and what a backend inherits (Backend's default) when it does not accelerate this step.
 */
public final class AdamReference {
    private AdamReference() {
    }

    public static void step(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vmax, float decayFactor, float weightDecay,
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
            float denom = ReferenceMath.sqrt(vi) / bc2Sqrt + eps;
            p.set(i, pi + (negStepSize * mi) / denom);
        }
    }
}
