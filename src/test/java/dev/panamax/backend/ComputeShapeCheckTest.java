package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.optim.Adam;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade rejects bad arguments before any kernel runs, with a message that names the shapes. */
class ComputeShapeCheckTest {
    private final Compute compute = new Compute(new ScalarBackend());

    private static void assertRejected(Executable call, String... mustMention) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String s : mustMention) {
            assertTrue(e.getMessage().contains(s), "message '" + e.getMessage() + "' should mention " + s);
        }
    }

    /** Tensors on Java arrays: two different arrays are different memory, however their offsets compare. */
    @Test
    void heapTensorsAreToldApartByTheirArray() {
        float[] x = {1, 2, 3, 4};
        float[] y = new float[4];
        Tensor a = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(x), 2, 2);
        Tensor b = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(y), 2, 2);
        compute.copy(a, b); // both start at offset 0 of their arrays; once taken for the same memory and skipped
        org.junit.jupiter.api.Assertions.assertArrayEquals(x, y);
        float[] z = new float[4];
        Tensor c = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(z), 2, 2);
        compute.gemm(false, false, 1f, a, b, 0f, c); // once refused as "C must not overlap A"
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {7, 10, 15, 22}, z);
        // within one array, overlap is still caught
        float[] big = new float[6];
        Tensor head = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(big).asSlice(0, 16), 2, 2);
        Tensor tail = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(big).asSlice(8, 16), 2, 2);
        assertRejected(() -> compute.copy(head, tail), "overlap");
    }

    /** A closed Compute refuses every call on every CPU backend, as the cuda backend's released context does. */
    @Test
    void aClosedComputeRefusesEveryCall() {
        for (Backend backend : Backends.allAvailable(2)) {
            Compute closed = new Compute(backend);
            closed.close();
            closed.close(); // idempotent
            try (Arena arena = Arena.ofConfined()) {
                Tensor a = Tensor.allocate(arena, 2, 2);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> closed.gemm(false, false, 1f, a, a, 0f, Tensor.allocate(arena, 2, 2)));
                assertTrue(e.getMessage().contains("(" + backend.name() + ") has been closed"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> closed.scale(2f, a), backend.name());
                assertThrows(IllegalStateException.class, () -> closed.allocate(arena, 4), backend.name());
            }
        }
    }

    @Test
    void gemmWithMismatchedInnerDimensionsNamesAllShapes() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, 2, 3);
            Tensor b = Tensor.allocate(arena, 4, 5);
            Tensor c = Tensor.allocate(arena, 2, 5);
            assertRejected(() -> compute.gemm(false, false, 1f, a, b, 0f, c), "[2, 3]", "[4, 5]", "[2, 5]");
            // transposing B makes op(B) 5x4: still wrong, and the message says B was transposed
            assertRejected(() -> compute.gemm(false, true, 1f, a, b, 0f, c), "[4, 5]", "transposed");
        }
    }

    @Test
    void gemmWithWrongOutputShapeSaysWhatWasExpected() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, 2, 3);
            Tensor b = Tensor.allocate(arena, 3, 4);
            Tensor c = Tensor.allocate(arena, 4, 2);
            assertRejected(() -> compute.gemm(false, false, 1f, a, b, 0f, c), "[4, 2]", "expected [2, 4]");
        }
    }

    @Test
    void gemmRejectsVectorsAndOverlap() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor v = Tensor.allocate(arena, 6);
            Tensor m = Tensor.allocate(arena, 2, 2);
            assertRejected(() -> compute.gemm(false, false, 1f, v, m, 0f, m), "[6]");
            assertRejected(() -> compute.gemm(false, false, 1f, m, m.reshape(2, 2), 0f, m), "overlap");
        }
    }

    @Test
    void elementwiseShapeErrorsNameBothTensors() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, 3, 4);
            Tensor y = Tensor.allocate(arena, 4, 3);
            Tensor bias = Tensor.allocate(arena, 3);
            assertRejected(() -> compute.biasActivation(x, null, Activation.RELU, y), "[4, 3]", "[3, 4]");
            assertRejected(() -> compute.biasActivation(x, bias, Activation.RELU, x), "bias", "[3]", "[3, 4]");
            assertRejected(() -> compute.axpy(1f, x, Tensor.allocate(arena, 5)), "[5]", "[3, 4]");
            assertRejected(() -> compute.columnSums(x, 0f, bias), "[3, 4]", "[3]");
            assertRejected(() -> compute.softmaxRows(x, y), "[4, 3]", "[3, 4]");
            UpdateKernel adam = compute.updateKernel(Adam.UPDATE);
            float[] adamScalars = {1f, 0f, 0.9f, 0.1f, 0.999f, 0.001f, -0.001f, 1f, 1e-8f};
            assertRejected(() -> adam.apply(new Tensor[] {x, y.reshape(12), Tensor.allocate(arena, 5), x, null},
                    adamScalars), "exp_avg", "[5]", "[3, 4]");
            UpdateKernel sgd = compute.updateKernel(SGD.UPDATE);
            float[] sgdScalars = {0f, 0f, 1f, 0f, 1f, -0.1f};
            assertRejected(() -> sgd.apply(new Tensor[] {x, Tensor.allocate(arena, 2), null}, sgdScalars),
                    "grad", "[2]", "[3, 4]");
            // counts are the rule's; only the states it calls optional may be absent
            assertRejected(() -> sgd.apply(new Tensor[] {x, x}, sgdScalars), "torch.optim.SGD", "got 2 tensors");
            assertRejected(() -> sgd.apply(new Tensor[] {x, x, null}, new float[5]), "got 3 tensors and 5 scalars");
            assertRejected(() -> adam.apply(new Tensor[] {x, x, null, x, null}, adamScalars), "exp_avg must not be null");
            assertRejected(() -> sgd.apply(new Tensor[] {null, x, null}, sgdScalars), "param must not be null");
        }
    }

    @Test
    void crossEntropyRejectsLabelsOutOfRange() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor logits = Tensor.allocate(arena, 2, 3);
            Tensor probs = Tensor.allocate(arena, 2, 3);
            Tensor labels = Tensor.of(arena, new float[] {0f, 3f}, 2);
            assertRejected(() -> compute.softmaxCrossEntropy(logits, labels, probs, null, 1f), "label 3.0", "[0, 3)");
            Tensor shortLabels = Tensor.allocate(arena, 1);
            assertRejected(() -> compute.softmaxCrossEntropy(logits, shortLabels, probs, null, 1f), "[1]", "[2, 3]");
        }
    }
}
