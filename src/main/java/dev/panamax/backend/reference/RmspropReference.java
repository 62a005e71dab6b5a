package dev.panamax.backend.reference;

import dev.panamax.tensor.Tensor;

/**
 * torch.optim.RMSprop's update, one step ({@link dev.panamax.backend.Backend#rmspropStep}):
 * plain loops over {@link Tensor#get}/{@link Tensor#set} in the float32 rules of the golden README (fma where
 * torch's kernels fuse, plain rounding elsewhere): bit-exact, the oracle the other backends are checked
 * against and what a backend inherits (Backend's default) when it does not accelerate this step.
 */
public final class RmspropReference {
    private RmspropReference() {
    }

    public static void step(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor buf, float weightDecay,
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
                avg = ReferenceMath.sqrt(Math.fma(-ga, ga, sq)) + eps;
            } else {
                avg = ReferenceMath.sqrt(sq) + eps;
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
}
