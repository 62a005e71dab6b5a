package dev.panamax.backend.reference;

import dev.panamax.tensor.Tensor;

/**
 * torch.optim.SGD's update, one step ({@link dev.panamax.backend.Backend#sgdStep}, where the formula is given):
 * plain loops over {@link Tensor#get}/{@link Tensor#set} in the float32 rules of the golden README (fma where
 * torch's kernels fuse, plain rounding elsewhere): bit-exact, the oracle the other backends are checked
 * against and what a backend inherits (Backend's default) when it does not accelerate this step.
 */
public final class SgdReference {
    private SgdReference() {
    }

    public static void step(Tensor p, Tensor g, Tensor buf, float weightDecay, float momentum, float dampComplement,
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
}
