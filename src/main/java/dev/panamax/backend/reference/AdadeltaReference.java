package dev.panamax.backend.reference;

import dev.panamax.tensor.Tensor;

/**
 * torch.optim.Adadelta's update, one step ({@link dev.panamax.backend.Backend#adadeltaStep}):
 * plain loops over {@link Tensor#get}/{@link Tensor#set} in the float32 rules of the golden README (fma where
 * torch's kernels fuse, plain rounding elsewhere): bit-exact, the oracle the other backends are checked
 * against and what a backend inherits (Backend's default) when it does not accelerate this step.
 */
public final class AdadeltaReference {
    private AdadeltaReference() {
    }

    public static void step(Tensor p, Tensor g, Tensor squareAvg, Tensor accDelta, float weightDecay,
                                    float rho, float oneMinusRho, float eps, float negLr) {
        for (long i = 0; i < p.size(); i++) {
            float pi = p.get(i);
            float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
            float sq = Math.fma(oneMinusRho * gi, gi, squareAvg.get(i) * rho);
            squareAvg.set(i, sq);
            float std = ReferenceMath.sqrt(sq + eps);
            float acc = accDelta.get(i);
            float delta = ReferenceMath.sqrt(acc + eps) / std * gi;
            accDelta.set(i, Math.fma(oneMinusRho * delta, delta, acc * rho));
            p.set(i, Math.fma(delta, negLr, pi));
        }
    }
}
