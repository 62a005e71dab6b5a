package dev.panamax.backend.simd;

import dev.panamax.backend.GemmReferenceCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GEMM at the edges of this JVM's own blocking: MC, KC and MR come from the caches and registers of the machine
 * the tests run on, so fixed shapes meet a different set of block edges on every machine. These shapes are derived
 * from the blocking in use (rows just past one and two row blocks and just under three; k one past KC), for the
 * packed, narrow and short-k paths of {@link SimdGemm}, on one thread (the whole C one slab) and on two (C widened
 * until the product splits).
 */
class GemmBlockEdgesTest {
    private static final SimdBackend ONE_THREAD = new SimdBackend(1);
    private static final SimdBackend TWO_THREADS = new SimdBackend(2);

    @AfterAll
    static void close() {
        ONE_THREAD.close();
        TWO_THREADS.close();
    }

    /** Slab heights the short-k path takes (whole blocks of SHORT_K_ROWS), up to three row blocks and a bit. */
    private static IntStream shortKSlabs() {
        int blockRows = GemmSmallKernels.SHORT_K_ROWS;
        return IntStream.iterate(blockRows, r -> r <= 3 * GemmBlocking.MC + 2 * GemmBlocking.MR, r -> r + blockRows);
    }

    /**
     * Rows of C for the short-k shapes: the first three slabs that split into row blocks that are not whole short-k
     * blocks, and the first past each of MC and 2 MC.
     */
    static List<Integer> shortKRows() {
        Set<Integer> rows = new LinkedHashSet<>();
        int oddSplits = 0;
        for (int r : shortKSlabs().toArray()) {
            if (splitOddly(r) && oddSplits < 3) {
                rows.add(r);
                oddSplits++;
            }
            int below = r - GemmSmallKernels.SHORT_K_ROWS;
            if (r > GemmBlocking.MC && below <= GemmBlocking.MC || r > 2 * GemmBlocking.MC && below <= 2 * GemmBlocking.MC) {
                rows.add(r);
            }
        }
        return new ArrayList<>(rows);
    }

    /** A slab of {@code rows} rows packed in two or more row blocks that are not whole short-k blocks. */
    private static boolean splitOddly(int rows) {
        int block = SimdGemm.rowBlock(rows);
        return rows > block && block % GemmSmallKernels.SHORT_K_ROWS != 0;
    }

    @Test
    void theShortKShapesIncludeARowBlockThatIsNotWholeShortKBlocksWheneverTheTileAllowsOne() {
        // the case that wrote two rows past C: MR = 6 (16 registers, 8 lanes or more) against 4-row short-k blocks
        // makes row blocks of 66, 78, ... rows; where MR is a multiple of SHORT_K_ROWS (or MC is 12) no slab splits so
        boolean possible = shortKSlabs().anyMatch(GemmBlockEdgesTest::splitOddly);
        boolean present = shortKRows().stream().anyMatch(GemmBlockEdgesTest::splitOddly);
        assertEquals(possible, present, "MR " + GemmBlocking.MR + ", MC " + GemmBlocking.MC + ", short-k rows "
                + shortKRows());
        if (GemmBlocking.MR == 6 && GemmBlocking.MC % 12 != 0) {
            assertTrue(present, "MR 6, MC " + GemmBlocking.MC + ": some slab must split into odd row blocks");
        }
    }

    @Test
    void rowBlocksAreWholeTilesAndCoverTheSlab() {
        for (int rows = 1; rows <= 4 * GemmBlocking.MC; rows++) {
            int block = SimdGemm.rowBlock(rows);
            assertEquals(0, block % GemmBlocking.MR, rows + " rows: block " + block);
            assertTrue(block <= GemmBlocking.MC + GemmBlocking.MR - 1, rows + " rows: block " + block + " > MC " + GemmBlocking.MC);
            int blocks = (rows + block - 1) / block;
            assertTrue((long) blocks * block >= rows && (long) (blocks - 1) * block < rows, rows + " rows: block " + block);
        }
    }

    @TestFactory
    List<DynamicTest> gemmAtTheEdgesOfThisMachinesBlockingMatchesTheScalarReference() {
        int mc = GemmBlocking.MC;
        int mr = GemmBlocking.MR;
        int nr = GemmBlocking.NR;
        List<int[]> shapes = new ArrayList<>(); // m, n, k
        for (int rows : shortKRows()) {
            shapes.add(new int[] {rows, 2 * GemmSmallKernels.SHORT_K_COLS, SimdGemm.SHORT_K - 6}); // short k
        }
        for (int rows : new int[] {mc + 1, 2 * mc + mr + 1, 3 * mc - 1}) {
            shapes.add(new int[] {rows, 3 * nr + 1, 64});                 // packed panels, edge tiles both ways
            shapes.add(new int[] {rows, GemmBlocking.L - 1, 40});        // at most one vector of columns
        }
        shapes.add(new int[] {mc + mr, 2 * nr + 3, GemmBlocking.KC + 1}); // KC + 1 steps: two equal k blocks
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 1;
        for (int[] s : shapes) {
            for (int threads = 1; threads <= 2; threads++) {
                SimdBackend backend = threads == 1 ? ONE_THREAD : TWO_THREADS;
                // two threads split only a product of 2 x MIN_FMAS_PER_THREAD or more: widen C (in whole short-k
                // blocks) until it is one, so that each slab, the second starting past column 0, meets the row edges
                int m = s[0];
                int k = s[2];
                int n = threads == 1 ? s[1] : Math.max(s[1], SimdGemm.roundUp((int) (2 * 2 * SimdGemm.MIN_FMAS_PER_THREAD
                        / ((long) m * k) + 1), GemmSmallKernels.SHORT_K_COLS) + s[1] % GemmSmallKernels.SHORT_K_COLS);
                if (threads == 2) {
                    assertTrue((long) m * n * k >= 2 * SimdGemm.MIN_FMAS_PER_THREAD, m + "x" + n + "x" + k);
                }
                // every transpose with beta = 0 (C full of NaN), and the stored operands with beta = 0.5 as well
                for (int t = 0; t < 5; t++) {
                    boolean transA = (t & 1) != 0;
                    boolean transB = (t & 2) != 0;
                    float beta = t == 4 ? 0.5f : 0f;
                    long thisSeed = seed++;
                    String name = threads + "T m=" + m + " n=" + n + " k=" + k
                            + (transA ? " A^T" : "") + (transB ? " B^T" : "") + " beta=" + beta
                            + " (MC " + mc + ", MR " + mr + ", KC " + GemmBlocking.KC + ")";
                    tests.add(DynamicTest.dynamicTest(name, () -> GemmReferenceCheck.check(backend, m, n, k,
                            transA, transB, 1f, beta, thisSeed)));
                }
            }
        }
        return tests;
    }
}
