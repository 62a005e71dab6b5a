package dev.panamax.spark;

import org.apache.spark.api.java.JavaRDD;

/**
 * Scores an RDD of feature vectors with a Panamax checkpoint, partition by partition: the checkpoint is read
 * once per executor JVM and concurrent task ({@link ScoringModel}) and every row gets its predicted class and probabilities, in
 * the input's order. The checkpoint must be readable at the same path on every executor (a shared file
 * system, or {@code SparkContext.addFile} and {@code SparkFiles.get}).
 */
public final class BatchScorer {
    private BatchScorer() {
    }

    /**
     * @param backend the Panamax backend executors score with (simd, blas, scalar)
     * @param threads its threads: spark.task.cpus
     * @return one prediction per input row; an empty partition gives none. A row of the wrong width or with
     *         a NaN fails its task with a message naming the row and partition.
     */
    public static JavaRDD<Prediction> score(JavaRDD<float[]> rows, String checkpoint, String backend, int threads) {
        return rows.mapPartitionsWithIndex((partition, it) -> {
            ScoringModel model = ScoringModel.borrow(checkpoint, backend, threads);
            try {
                return model.score(it, partition).iterator();
            } finally {
                ScoringModel.release(model);
            }
        }, true);
    }
}
