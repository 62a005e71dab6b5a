package dev.panamax.backend;

import dev.panamax.backend.staging.Strided;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Strided GEMM for a backend that computes on contiguous tensors only (the default of
 * {@link Backend#gemm(boolean, boolean, int, int, int, float, MemorySegment, long, int, MemorySegment, long, int,
 * float, MemorySegment, long, int)}): each operand's rows are copied into a contiguous host tensor, the
 * backend's own GEMM runs, and C's rows are copied back, so nothing between C's rows is written. The
 * staging memory is the call's own (a confined arena), which is what lets callers run at once.
 */
final class StagedGemm {
    private StagedGemm() {
    }

    static void run(Backend backend, boolean transA, boolean transB, int m, int n, int k, float alpha,
                    MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                    float beta, MemorySegment c, long cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor ta = gather(arena, a, aOffset, lda, transA ? k : m, transA ? m : k);
            Tensor tb = gather(arena, b, bOffset, ldb, transB ? n : k, transB ? k : n);
            Tensor tc = beta == 0f ? Tensor.allocate(arena, m, n) : gather(arena, c, cOffset, ldc, m, n);
            backend.gemm(transA, transB, m, n, k, alpha, ta, tb, beta, tc);
            Strided.copyRows(tc.segment(), 0, n, c, cOffset, ldc, m, n);
        }
    }

    // rows x cols elements, rows ld apart from float offset -> a contiguous (rows, cols) tensor
    private static Tensor gather(Arena arena, MemorySegment source, long offset, int ld, int rows, int cols) {
        Tensor t = Tensor.allocate(arena, Math.max(rows, 1), Math.max(cols, 1));
        Strided.copyRows(source, offset, ld, t.segment(), 0, cols, rows, cols);
        return t;
    }
}
