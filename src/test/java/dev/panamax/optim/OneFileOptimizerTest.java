package dev.panamax.optim;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The contract's promise to an optimizer's author: a new optimizer is one file. {@link Lion} below is that
 * file (state, rule, step; nothing anywhere else), and it runs on every backend, none of which carries a
 * kernel for it, so each runs the rule's reference: the test checks that plumbing (operands in the rule's
 * order, scalars, state carried from step to step, results back in the caller's tensors) against a plain
 * float loop over Java arrays.
 */
class OneFileOptimizerTest {

    /**
     * Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms", arXiv:2302.06675, Algorithm 2):
     * {@code c = beta1 m + (1 - beta1) g; p = p - lr (sign(c) + wd p); m = beta2 m + (1 - beta2) g}.
     */
    static final class Lion extends Optimizer {
        static final UpdateRule UPDATE = new UpdateRule("test.Lion", List.of("param", "grad", "exp_avg"), Set.of(),
                List.of("lr", "beta1", "beta2", "weightDecay")) {
            @Override
            public void reference(Tensor[] t, float[] s) {
                for (long i = 0; i < t[0].size(); i++) {
                    t[0].set(i, lionParam(t[0].get(i), t[1].get(i), t[2].get(i), s));
                    t[2].set(i, lionMomentum(t[1].get(i), t[2].get(i), s));
                }
            }
        };

        private final float[] hyper;

        Lion(List<Parameter> parameters, Compute compute, float lr, float beta1, float beta2, float weightDecay) {
            super(parameters, compute);
            this.hyper = new float[] {lr, beta1, beta2, weightDecay};
            useRule(UPDATE, newState("exp_avg", 0f));
        }

        @Override
        public String name() {
            return "Lion";
        }

        @Override
        protected void update(long t) {
            System.arraycopy(hyper, 0, ruleScalars(), 0, hyper.length);
            applyRule();
        }
    }

    static float lionParam(float p, float g, float m, float[] s) {
        float c = s[1] * m + (1 - s[1]) * g;
        return p - s[0] * (Math.signum(c) + s[3] * p);
    }

    static float lionMomentum(float g, float m, float[] s) {
        return s[2] * m + (1 - s[2]) * g;
    }

    private static List<Backend> backends;

    @BeforeAll
    static void loadBackends() {
        backends = new ArrayList<>(Backends.allAvailable(2));
        assertFalse(backends.isEmpty(), "no backend loaded");
    }

    @AfterAll
    static void closeBackends() {
        backends.forEach(Backend::close);
    }

    @Test
    void aNewOptimizerInOneFileRunsOnEveryBackendWithItsReferenceBits() {
        int n = 1029; // past every vector width, with a tail
        float[] hyper = {1e-3f, 0.9f, 0.99f, 0.01f};
        for (Backend backend : backends) {
            try (Arena arena = Arena.ofShared()) {
                Compute compute = new Compute(backend); // not closed: that would close the shared backend
                SplittableRandom random = new SplittableRandom(7);
                Tensor value = compute.allocate(arena, 3, 343);
                Tensor grad = compute.allocate(arena, 3, 343);
                float[] p = new float[n];
                float[] m = new float[n];
                try (Lion lion = new Lion(List.of(new Parameter("w", value, grad)), compute, hyper[0], hyper[1], hyper[2],
                        hyper[3])) {
                    for (int i = 0; i < n; i++) {
                        p[i] = (float) random.nextDouble(-1, 1);
                        value.set(i, p[i]);
                    }
                    for (int step = 0; step < 3; step++) {
                        for (int i = 0; i < n; i++) {
                            float g = (float) random.nextDouble(-1, 1);
                            grad.set(i, g);
                            p[i] = lionParam(p[i], g, m[i], hyper);
                            m[i] = lionMomentum(g, m[i], hyper);
                        }
                        lion.step();
                        compute.synchronize();
                        for (int i = 0; i < n; i++) {
                            assertEquals(Float.floatToRawIntBits(p[i]), Float.floatToRawIntBits(value.get(i)),
                                    backend.name() + " step " + step + " p[" + i + "]");
                            assertEquals(Float.floatToRawIntBits(m[i]),
                                    Float.floatToRawIntBits(lion.state().get("w.exp_avg").get(i)),
                                    backend.name() + " step " + step + " exp_avg[" + i + "]");
                        }
                    }
                }
            }
        }
    }
}
