package dev.panamax.backend.reference;

import dev.panamax.tensor.Tensor;

/**
 * torch.optim.Adagrad's update, one step ({@link dev.panamax.backend.Backend#adagradStep}):
 * plain loops over {@link Tensor#get}/{@link Tensor#set} in the float32 rules of the golden README (fma where
 * torch's kernels fuse, plain rounding elsewhere): bit-exact, the oracle the other backends are checked
 * against and what a backend inherits (Backend's default) when it does not accelerate this step.
 */
public final class AdagradReference {
    private AdagradReference() {
    }

    public static void step(Tensor p, Tensor g, Tensor sum, float weightDecay, float negClr, float eps) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            float s = Math.fma(gi, gi, sum.get(i));
            sum.set(i, s);
            float std = ReferenceMath.sqrt(s) + eps;
            p.set(i, pi + (negClr * gi) / std);
        }
    }
}
