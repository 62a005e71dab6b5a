package dev.panamax.backend;

import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link BackendSelfCheck}: every backend that loads here passes it, a backend that is wrong in one
 * element of either kernel (or throws) fails it with a message naming the kernel and the element, and
 * automatic selection then closes that backend, reports why and takes the next one.
 */
class BackendSelfCheckTest {

    /** How a {@link Faulty} backend goes wrong. */
    enum Fault {
        NONE, GEMM_IGNORES_TRANSPOSE, GEMM_READS_ROW_ZERO_OF_A, GEMM_ONE_ULP_OFF, RELU_MISSING, GEMM_THROWS,
        GEMM_THROWS_AN_ERROR
    }

    /** The core-only (scalar) backend with one fault built in; records whether it was closed. */
    static class Faulty extends CoreOnlyBackend {
        private final Fault fault;
        boolean closed;

        Faulty(Fault fault) {
            this.fault = fault;
        }

        @Override
        public String name() {
            return "faulty-" + fault;
        }

        @Override
        public String describe() {
            return "the scalar backend with a fault: " + fault;
        }

        @Override
        public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b, float beta,
                         Tensor c) {
            switch (fault) {
                case GEMM_THROWS -> throw new IllegalStateException("kernel launch failed (injected)");
                case GEMM_THROWS_AN_ERROR -> throw new NoClassDefFoundError("a kernel class (injected)");
                case GEMM_READS_ROW_ZERO_OF_A -> {
                    // a wrong leading dimension of 0: every row of C from A's first row
                    try (Arena arena = Arena.ofConfined()) {
                        Tensor rowZero = Tensor.allocate(arena, m, k);
                        for (int i = 0; i < m; i++) {
                            for (int p = 0; p < k; p++) {
                                rowZero.set(i, p, a.get(0, p));
                            }
                        }
                        super.gemm(transA, transB, m, n, k, alpha, rowZero, b, beta, c);
                    }
                }
                // B (n,k) read as if stored (k,n): same element count, wrong layout, as a swapped mapping would
                case GEMM_IGNORES_TRANSPOSE -> super.gemm(transA, false, m, n, k, alpha, a, b.reshape(k, n), beta, c);
                default -> super.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
            }
            if (fault == Fault.GEMM_ONE_ULP_OFF) {
                long last = c.size() - 1;
                c.set(last, Math.nextUp(c.get(last)));
            }
        }

        @Override
        public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
            super.biasActivation(x, bias, fault == Fault.RELU_MISSING ? Activation.IDENTITY : act, y);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static BackendProvider provider(String name, int priority, Backend backend) {
        return Backends.provider(name, priority, threads -> backend);
    }

    @Test
    void everyBackendThatLoadsHerePasses() {
        List<Backend> all = Backends.allAvailable(1);
        try {
            assertTrue(all.size() >= 2, "scalar and simd at least: " + all.stream().map(Backend::name).toList());
            for (Backend b : all) {
                assertDoesNotThrow(() -> BackendSelfCheck.verify(b), b.name());
            }
            assertDoesNotThrow(() -> BackendSelfCheck.verify(new CoreOnlyBackend()));
        } finally {
            all.forEach(Backend::close);
        }
    }

    @Test
    void aFaultInEitherKernelFailsWithTheKernelAndTheElementNamed() {
        assertDoesNotThrow(() -> BackendSelfCheck.verify(new Faulty(Fault.NONE)));
        String transpose = assertThrows(BackendUnavailableException.class,
                () -> BackendSelfCheck.verify(new Faulty(Fault.GEMM_IGNORES_TRANSPOSE))).getMessage();
        assertTrue(transpose.startsWith("self-check failed: gemm"), transpose);
        assertTrue(transpose.contains("the scalar reference"), transpose);
        String ulp = assertThrows(BackendUnavailableException.class,
                () -> BackendSelfCheck.verify(new Faulty(Fault.GEMM_ONE_ULP_OFF))).getMessage();
        assertTrue(ulp.contains("gemm") && ulp.contains("at [9][36]"), "one ulp in the last element: " + ulp);
        String rowZero = assertThrows(BackendUnavailableException.class,
                () -> BackendSelfCheck.verify(new Faulty(Fault.GEMM_READS_ROW_ZERO_OF_A))).getMessage();
        assertTrue(rowZero.contains("gemm") && rowZero.contains("at [1]["), "the first wrong row is row 1: " + rowZero);
        String relu = assertThrows(BackendUnavailableException.class,
                () -> BackendSelfCheck.verify(new Faulty(Fault.RELU_MISSING))).getMessage();
        assertTrue(relu.contains("bias + relu"), relu);
        String thrown = assertThrows(BackendUnavailableException.class,
                () -> BackendSelfCheck.verify(new Faulty(Fault.GEMM_THROWS))).getMessage();
        assertTrue(thrown.contains("gemm") && thrown.contains("kernel launch failed (injected)"), thrown);
        String error = assertThrows(BackendUnavailableException.class,
                () -> BackendSelfCheck.verify(new Faulty(Fault.GEMM_THROWS_AN_ERROR))).getMessage();
        assertTrue(error.contains("NoClassDefFoundError"), "a linkage error is a failed check too: " + error);
    }

    @Test
    void automaticSelectionClosesAFailingBackendReportsWhyAndTakesTheNext() {
        Faulty wrong = new Faulty(Fault.GEMM_IGNORES_TRANSPOSE);
        Faulty throwing = new Faulty(Fault.GEMM_THROWS);
        Faulty right = new Faulty(Fault.NONE);
        List<String> skipped = new ArrayList<>();
        Backend chosen = Backends.best(List.of(provider("right", 10, right), provider("wrong", 30, wrong),
                provider("throwing", 20, throwing)), 1, (name, reason) -> skipped.add(name + ": " + reason));
        assertSame(right, chosen, "the first backend by priority that passes");
        assertFalse(right.closed, "the chosen backend is the caller's, open");
        assertTrue(wrong.closed, "a backend that failed the check is closed");
        assertTrue(throwing.closed, "a backend that failed the check is closed");
        assertEquals(2, skipped.size(), skipped.toString());
        assertTrue(skipped.get(0).startsWith("wrong: self-check failed: gemm"), skipped.get(0));
        assertTrue(skipped.get(1).startsWith("throwing: self-check failed:"), skipped.get(1));
    }

    @Test
    void aSkippedBackendIsNamedWithItsDescriptionAndHowToForceIt() {
        Faulty wrong = new Faulty(Fault.RELU_MISSING);
        List<String> skipped = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.best(
                List.of(provider("wrong", 30, wrong)), 1, (name, reason) -> skipped.add(reason)));
        assertTrue(e.getMessage().startsWith("no backend loaded and passed"), e.getMessage());
        assertTrue(wrong.closed, "closed");
        assertEquals(1, skipped.size());
        assertTrue(skipped.getFirst().contains("bias + relu") && skipped.getFirst().contains(wrong.describe())
                && skipped.getFirst().contains("-Dpanamax.backend=" + wrong.name()), skipped.getFirst());
    }

    /** An Error thrown by a kernel's first use still closes the backend before it goes up. */
    @Test
    void anErrorDuringTheCheckClosesTheBackend() {
        Faulty erring = new Faulty(Fault.NONE) {
            @Override
            public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
                throw new StackOverflowError("injected");
            }
        };
        assertThrows(StackOverflowError.class, () -> Backends.best(List.of(provider("erring", 30, erring)), 1,
                (name, reason) -> { }));
        assertTrue(erring.closed, "closed before the error went up");
    }
}
