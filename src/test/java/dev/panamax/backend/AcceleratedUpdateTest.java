package dev.panamax.backend;

import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AcceleratedUpdateTest {
    private static final UpdateRule RULE = new UpdateRule("test.Rule", List.of("param", "grad", "state"), Set.of(),
            List.of("a", "b")) {
        @Override
        public void reference(Tensor[] tensors, float[] scalars) {
        }
    };
    private static final UpdateKernel FAST = (t, s) -> { };
    private static final UpdateKernel FALLBACK = (t, s) -> { };

    @Test
    void aKernelWrittenForTheRulesOperandsIsChosen() {
        Map<String, AcceleratedUpdate> known = AcceleratedUpdate.byRule(List.of(
                new AcceleratedUpdate("test.Rule", List.of("param", "grad", "state"), List.of("a", "b"), FAST)));
        assertSame(FAST, AcceleratedUpdate.resolve(RULE, known, "test", FALLBACK));
    }

    @Test
    void aRuleWithoutAKernelGetsTheFallback() {
        assertSame(FALLBACK, AcceleratedUpdate.resolve(RULE, Map.of(), "test", FALLBACK));
    }

    @Test
    void aKernelForOtherOperandsIsRefusedNamingBoth() {
        Map<String, AcceleratedUpdate> swapped = AcceleratedUpdate.byRule(List.of(
                new AcceleratedUpdate("test.Rule", List.of("param", "grad", "state"), List.of("b", "a"), FAST)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AcceleratedUpdate.resolve(RULE, swapped, "test", FALLBACK));
        assertTrue(e.getMessage().contains("[b, a]") && e.getMessage().contains("[a, b]"), e.getMessage());
    }

    @Test
    void everyBackendsKernelsMatchTheRulesTheyAccelerate() {
        // resolving each shipped rule on each backend throws if a kernel's operand lists drifted from its rule
        for (Backend backend : Backends.allAvailable(1)) {
            try (backend) {
                for (UpdateRule rule : List.of(dev.panamax.optim.SGD.UPDATE, dev.panamax.optim.Adagrad.UPDATE,
                        dev.panamax.optim.Adadelta.UPDATE, dev.panamax.optim.RMSprop.UPDATE,
                        dev.panamax.optim.Adam.UPDATE)) {
                    backend.updateKernel(rule);
                }
            }
        }
    }

    @Test
    void optionalTensorsMustBeNamedAndNeverTheParameter() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateRule("x", List.of("param", "grad"),
                Set.of("param"), List.of()) {
            @Override
            public void reference(Tensor[] tensors, float[] scalars) {
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new UpdateRule("x", List.of("param", "grad"),
                Set.of("other"), List.of()) {
            @Override
            public void reference(Tensor[] tensors, float[] scalars) {
            }
        });
    }
}
