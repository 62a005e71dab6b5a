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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GEMM at the edges of this JVM's own blocking: MC, KC and MR come from the caches and registers of the machine
 * the tests run on, so fixed shapes meet a different set of block edges on every machine. These shapes are derived
 * from the blocking in use (rows just past one, two and three row blocks; k just past one k block), for every
 * path of {@link SimdGemm} (packed, narrow, short-k), on one thread (the whole C one slab) and on two.
 */
class GemmBlockEdgesTest {
    private static final SimdBackend ONE_THREAD = new SimdBackend(1);
    private static final SimdBackend TWO_THREADS = new SimdBackend(2);

    @AfterAll
    static void close() {
        ONE_THREAD.close();
        TWO_THREADS.close();
    }

    /** Rows of C that the short-k path takes (whole blocks of SHORT_K_ROWS) around one to three row blocks. */
    static List<Integer> shortKRows() {
        Set<Integer> rows = new LinkedHashSet<>();
        int blockRows = GemmSmallKernels.SHORT_K_ROWS;
        for (int r = blockRows; r <= 3 * GemmBlocking.MC + 2 * GemmBlocking.MR; r += blockRows) {
            int block = SimdGemm.rowBlock(r);
            // a slab of two or more row blocks that are not whole short-k blocks, and the first past each multiple of MC
            if (r > block && block % blockRows != 0 && rows.stream().filter(GemmBlockEdgesTest::splitOddly).count() < 3) {
                rows.add(r);
            }
            if (r > GemmBlocking.MC && (r - blockRows) <= GemmBlocking.MC
                    || r > 2 * GemmBlocking.MC && (r - blockRows) <= 2 * GemmBlocking.MC) {
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
        // MR = 6 (16 registers, 8 lanes or more) makes row blocks of 66, 78, ... rows against 4-row short-k blocks:
        // the case that wrote two rows past C; where MR is a multiple of SHORT_K_ROWS, no row block can be one
        boolean possible = GemmBlocking.MR % GemmSmallKernels.SHORT_K_ROWS != 0;
        boolean present = shortKRows().stream().anyMatch(GemmBlockEdgesTest::splitOddly);
        assertEquals(possible, present, "MR " + GemmBlocking.MR + ", MC " + GemmBlocking.MC + ", short-k rows "
                + shortKRows());
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
        shapes.add(new int[] {mc + mr, 2 * nr + 3, GemmBlocking.KC + 1}); // two k blocks, the second one step
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 1;
        for (int[] s : shapes) {
            for (int threads = 1; threads <= 2; threads++) {
                SimdBackend backend = threads == 1 ? ONE_THREAD : TWO_THREADS;
                for (int t = 0; t < 4; t++) {
                    boolean transA = (t & 1) != 0;
                    boolean transB = (t & 2) != 0;
                    float beta = t == 1 ? 0.5f : 0f;
                    long thisSeed = seed++;
                    String name = threads + "T m=" + s[0] + " n=" + s[1] + " k=" + s[2]
                            + (transA ? " A^T" : "") + (transB ? " B^T" : "") + " beta=" + beta
                            + " (MC " + mc + ", MR " + mr + ", KC " + GemmBlocking.KC + ")";
                    tests.add(DynamicTest.dynamicTest(name, () -> GemmReferenceCheck.check(backend, s[0], s[1], s[2],
                            transA, transB, 1f, beta, thisSeed)));
                }
            }
        }
        return tests;
    }
}
