package dev.panamax.spark;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.DatasetSources;
import dev.panamax.data.Standardization;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.Evaluation;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchScoringTest {
    private static final int[] SIZES = {784, 24, 10};
    private static final ModelSpec SPEC = new ModelSpec(SIZES, Activation.TANH, Loss.CROSS_ENTROPY, 0.3, 0.4);

    @TempDir
    static Path dir;
    private static Path data;
    private static Path checkpoint;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() throws IOException {
        data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        LocalSpark.writeData(data, 1200); // 300 test rows
        checkpoint = dir.resolve("model.safetensors");
        try (Compute compute = new Compute(Backends.create("simd", 1));
             Mlp mlp = Mlp.create(SIZES, Activation.TANH, 5, compute)) {
            Checkpoint.save(checkpoint, mlp, null, SPEC.toMetadata());
        }
        sc = LocalSpark.start("panamax-scoring-test");
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** Rows as a user holds them: raw features, unstandardized. */
    private static List<float[]> testRows(Dataset test) {
        List<float[]> rows = new ArrayList<>();
        float[] all = test.images().toArray();
        for (int i = 0; i < test.size(); i++) {
            float[] row = new float[784];
            System.arraycopy(all, i * 784, row, 0, 784);
            rows.add(row);
        }
        return rows;
    }

    /**
     * Distributed scores against {@code panamax eval}'s computation on one machine: the same predicted class
     * for every row, the same accuracy, and probabilities within 1e-5. Those may differ in the last bits
     * because a row's logits are computed in GEMMs of other batch shapes (the partitions cut the batches
     * elsewhere), which may sum the 784 products in another order: a few units of 2^-24 relative, far below
     * 1e-5 for values in [0, 1].
     */
    @Test
    void distributedScoringEqualsSingleMachineEval() throws IOException {
        try (DatasetPair pair = DatasetSources.directory(data).load()) {
            Dataset test = pair.test();
            List<float[]> rows = testRows(test);
            // one partition: a full batch of 256 and a short one; three: short ones only
            List<Prediction> scored = BatchScorer.score(sc.parallelize(rows, 1), checkpoint.toString(), "simd", 1)
                    .collect();
            List<Prediction> scoredInThree = BatchScorer.score(sc.parallelize(rows, 3), checkpoint.toString(), "simd",
                    1).collect();
            assertEquals(rows.size(), scored.size());
            assertEquals(rows.size(), scoredInThree.size());
            new Standardization(SPEC.inputMean(), SPEC.inputStd()).applyTo(test);
            try (Compute compute = new Compute(Backends.create("simd", 1));
                 Mlp mlp = Mlp.create(SIZES, Activation.TANH, 0, compute);
                 Arena arena = Arena.ofConfined()) {
                Checkpoint.load(checkpoint, mlp, null);
                try (Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, null, compute, 784, 10)) {
                    Evaluation eval = Evaluation.run(trainer, test, 256);
                    int correct = 0;
                    Tensor probs = Tensor.allocate(arena, 1, 10);
                    for (int i = 0; i < test.size(); i++) {
                        Tensor x = Tensor.allocate(arena, 1, 784);
                        MemorySegment.copy(test.images().segment(), (long) i * 784 * Float.BYTES, x.segment(), 0,
                                784L * Float.BYTES);
                        trainer.evalStep(x, Tensor.allocate(arena, 1));
                        Tensor logits = trainer.lastLogits(false);
                        compute.softmaxRows(logits, probs);
                        assertEquals(logits.argmaxOfRow(0), scored.get(i).label(), "row " + i);
                        assertEquals(scored.get(i).label(), scoredInThree.get(i).label(), "row " + i + " in 3 partitions");
                        for (int c = 0; c < 10; c++) {
                            assertEquals(probs.get(c), scored.get(i).probabilities()[c], 1e-5, "row " + i + " class " + c);
                        }
                        if (scored.get(i).label() == test.label(i)) {
                            correct++;
                        }
                    }
                    assertEquals(eval.accuracy(), (double) correct / test.size(), 1e-12, "accuracy as panamax eval");
                }
            }
        }
    }

    @Test
    void anEmptyPartitionScoresNothing() {
        JavaRDD<float[]> rows = sc.parallelize(List.of(new float[784]), 3); // two of the three partitions are empty
        assertEquals(1, BatchScorer.score(rows, checkpoint.toString(), "simd", 1).count());
        assertEquals(0, BatchScorer.score(sc.parallelize(List.<float[]>of(), 2), checkpoint.toString(), "simd", 1)
                .count());
    }

    @Test
    void rowsOfAnotherWidthFailNamingTheRowAndTheModel() {
        JavaRDD<float[]> rows = sc.parallelize(List.of(new float[784], new float[100]), 1);
        Exception e = assertThrows(Exception.class,
                () -> BatchScorer.score(rows, checkpoint.toString(), "simd", 1).collect());
        assertTrue(e.getMessage().contains("row 1 of partition 0 has 100 features") && e.getMessage().contains("takes 784"),
                e.getMessage());
    }

    @Test
    void aNanFailsNamingTheRowAndFeature() {
        float[] bad = new float[784];
        bad[17] = Float.NaN;
        JavaRDD<float[]> rows = sc.parallelize(List.of(new float[784], bad), 1);
        Exception e = assertThrows(Exception.class,
                () -> BatchScorer.score(rows, checkpoint.toString(), "simd", 1).collect());
        assertTrue(e.getMessage().contains("row 1 of partition 0 has NaN at feature 17"), e.getMessage());
    }

    @Test
    void aMissingCheckpointFailsNamingIt() {
        JavaRDD<float[]> rows = sc.parallelize(List.of(new float[784]), 1);
        Exception e = assertThrows(Exception.class,
                () -> BatchScorer.score(rows, dir.resolve("absent.safetensors").toString(), "simd", 1).collect());
        assertTrue(e.getMessage().contains("absent.safetensors"), e.getMessage());
    }
}
