package dev.panamax.backend.staging;

import java.lang.foreign.MemorySegment;

/**
 * A GEMM that takes native memory only, each operand from its segment's first byte: row-major, A (m,k) or
 * (k,m) if transA rows lda apart, B (k,n) or (n,k) if transB rows ldb apart, C (m,n) rows ldc apart.
 * {@link NativeStaging#gemm} serves it heap operands and offsets.
 */
public interface NativeGemm {
    void gemmNative(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                    MemorySegment b, int ldb, float beta, MemorySegment c, int ldc);
}
