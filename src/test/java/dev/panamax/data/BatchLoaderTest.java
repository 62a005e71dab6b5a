package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    private static final int N = 10;
    private static final int FEATURES = 6;
    private Dataset data;

    /** Sample i has pixels 100 i + p and label i mod 3, so every batch row can be traced to its sample. */
    @BeforeEach
    void makeData() {
        float[] pixels = new float[N * FEATURES];
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            for (int p = 0; p < FEATURES; p++) {
                pixels[i * FEATURES + p] = 100 * i + p;
            }
            labels[i] = i % 3;
        }
        data = Dataset.of("toy", "toy data", 3, 2, 3, pixels, labels);
    }

    @AfterEach
    void free() {
        data.close();
    }

    /** The sample order of one epoch, checking each row's content against its sample. */
    private static int[] epochOrder(BatchLoader loader, int epoch) {
        loader.startEpoch(epoch);
        int[] seen = new int[loader.dataset().size()];
        int k = 0;
        while (loader.next()) {
            Tensor x = loader.x();
            Tensor y = loader.labels();
            assertEquals(loader.currentBatchSize(), x.dim(0));
            assertEquals(loader.currentBatchSize(), y.size());
            for (int r = 0; r < x.dim(0); r++) {
                int sample = (int) (x.get(r, 0) / 100);
                assertEquals(loader.sampleIndex(r), sample);
                for (int p = 0; p < FEATURES; p++) {
                    assertEquals(100f * sample + p, x.get(r, p));
                }
                assertEquals(sample % 3, y.get(r));
                seen[k++] = sample;
            }
        }
        return Arrays.copyOf(seen, k);
    }

    @Test
    void lastBatchIsASmallerViewOfTheSameBuffer() {
        try (BatchLoader loader = new BatchLoader(data, 4, false, 0, false)) {
            assertEquals(3, loader.batchCount());
            loader.startEpoch(0);
            assertTrue(loader.next());
            Tensor full = loader.x();
            assertArrayEquals(new int[] {4, FEATURES}, full.shape());
            assertTrue(loader.next());
            assertSame(full, loader.x(), "full batches reuse one buffer");
            assertTrue(loader.next());
            assertArrayEquals(new int[] {2, FEATURES}, loader.x().shape());
            assertArrayEquals(new int[] {2}, loader.labels().shape());
            assertEquals(full.segment().address(), loader.x().segment().address(), "the view starts at the buffer");
            assertFalse(loader.next());
            assertFalse(loader.next());
            assertThrows(IllegalStateException.class, loader::x);
        }
        try (BatchLoader loader = new BatchLoader(data, 4, false, 0, false)) {
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, epochOrder(loader, 0), "no shuffle: in order");
        }
    }

    @Test
    void dropLastSkipsThePartialBatch() {
        try (BatchLoader loader = new BatchLoader(data, 4, true, 1, true)) {
            assertEquals(2, loader.batchCount());
            assertEquals(8, epochOrder(loader, 0).length);
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(data, 11, true, 1, true));
    }

    @Test
    void shuffleIsAPermutationDeterminedBySeedAndEpoch() {
        try (BatchLoader a = new BatchLoader(data, 3, true, 42, false);
                BatchLoader b = new BatchLoader(data, 3, true, 42, false);
                BatchLoader other = new BatchLoader(data, 3, true, 43, false)) {
            int[][] epochs = new int[4][];
            for (int e = 0; e < 4; e++) {
                epochs[e] = epochOrder(a, e);
                int[] sorted = epochs[e].clone();
                Arrays.sort(sorted);
                assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted, "each sample once per epoch");
            }
            // Resuming at epoch 3 on a fresh loader reproduces epoch 3 without replaying 0..2.
            assertArrayEquals(epochs[3], epochOrder(b, 3));
            assertArrayEquals(epochs[1], epochOrder(b, 1));
            // 10! orders: distinct epochs or seeds coincide with probability about 3e-7.
            assertFalse(Arrays.equals(epochs[0], epochs[1]));
            assertFalse(Arrays.equals(epochs[0], epochOrder(other, 0)));
        }
        assertNotEquals(BatchLoader.epochSeed(7, 0), BatchLoader.epochSeed(7, 1));
    }

    @Test
    void nextBeforeStartEpochIsAnError() {
        try (BatchLoader loader = new BatchLoader(data, 4, true, 0, false)) {
            assertThrows(IllegalStateException.class, loader::next);
        }
    }

    @Test
    void steadyStateAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "this JVM does not report per-thread allocation");
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation accounting is off in this JVM");
        try (BatchLoader loader = new BatchLoader(data, 3, true, 5, false)) {
            float sink = 0;
            for (int warm = 0; warm < 2000; warm++) {
                loader.startEpoch(warm);
                while (loader.next()) {
                    sink += loader.x().get(0) + loader.labels().get(0);
                }
            }
            loader.startEpoch(0);
            long id = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(id);
            int batches = 0;
            for (int pass = 0; pass < 1000; pass++) {
                loader.startEpoch(0);
                while (loader.next()) {
                    sink += loader.x().get(0) + loader.labels().get(0);
                    batches++;
                }
            }
            long allocated = mx.getThreadAllocatedBytes(id) - before;
            // startEpoch makes one SplittableRandom (about 32 bytes) per epoch; batches allocate nothing.
            // Bound: 64 bytes per epoch for that object plus 8 KB for the measurement itself.
            assertTrue(allocated < 1000 * 64 + 8192, allocated + " bytes allocated over " + batches + " batches");
            assertTrue(sink != 0);
        }
    }
}
