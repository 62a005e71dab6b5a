package dev.panamax.bench;

/**
 * A GEMM problem written {@code MxNxK:XY}: op(A) is (m,k), op(B) is (k,n), C is (m,n); X and Y are
 * N (stored as is) or T (stored transposed) for A and B. "128x256x784:NT" is an MLP forward layer:
 * activations (128,784) times weights stored (256,784).
 */
public record GemmShape(int m, int n, int k, boolean transA, boolean transB) {

    public static GemmShape parse(String text) {
        String[] sizesAndOps = text.strip().split(":");
        String[] sizes = sizesAndOps[0].split("x");
        if (sizesAndOps.length != 2 || sizes.length != 3 || !sizesAndOps[1].matches("[NT]{2}")) {
            throw new IllegalArgumentException("GEMM shape '" + text + "' is not of the form MxNxK:XY with X, Y in {N, T}"
                    + " (e.g. 128x256x784:NT)");
        }
        try {
            int m = Integer.parseInt(sizes[0]);
            int n = Integer.parseInt(sizes[1]);
            int k = Integer.parseInt(sizes[2]);
            if (m <= 0 || n <= 0 || k <= 0) {
                throw new IllegalArgumentException("GEMM shape '" + text + "' needs positive sizes");
            }
            return new GemmShape(m, n, k, sizesAndOps[1].charAt(0) == 'T', sizesAndOps[1].charAt(1) == 'T');
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GEMM shape '" + text + "' has a size that is not an integer", e);
        }
    }

    /** Floating-point operations of one GEMM: a multiply and an add per (i, j, p). */
    public double flops() {
        return 2.0 * m * n * k;
    }

    /** A's stored shape: (m,k), or (k,m) when transposed. */
    public int[] aShape() {
        return transA ? new int[] {k, m} : new int[] {m, k};
    }

    /** B's stored shape: (k,n), or (n,k) when transposed. */
    public int[] bShape() {
        return transB ? new int[] {n, k} : new int[] {k, n};
    }
}
