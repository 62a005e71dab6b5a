package dev.panamax.spark;

import dev.panamax.data.Dataset;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * The peer measured in the same run: Spark MLlib's MultilayerPerceptronClassifier (sigmoid hidden layers,
 * softmax output, float64, L-BFGS) on the same data and layer sizes. Returns test accuracy; the caller times it.
 */
final class MlpcPeer {
    private MlpcPeer() {
    }

    static double trainAndTest(SparkSession spark, Dataset train, Dataset test, int[] layers, int maxIter, long seed,
                               int partitions) {
        org.apache.spark.sql.Dataset<Row> trainFrame = frame(spark, train).repartition(partitions).cache();
        org.apache.spark.sql.Dataset<Row> testFrame = frame(spark, test);
        MultilayerPerceptronClassificationModel model = new MultilayerPerceptronClassifier()
                .setLayers(layers).setMaxIter(maxIter).setSeed(seed).setBlockSize(128).fit(trainFrame);
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                .evaluate(model.transform(testFrame));
        trainFrame.unpersist();
        return accuracy;
    }

    private static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset d) {
        StructType schema = new StructType(new StructField[] {
                new StructField("label", DataTypes.DoubleType, false, Metadata.empty()),
                new StructField("features", new VectorUDT(), false, Metadata.empty())});
        float[] all = d.images().toArray();
        int f = d.features();
        List<Row> rows = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            double[] x = new double[f];
            for (int j = 0; j < f; j++) {
                x[j] = all[i * f + j];
            }
            rows.add(RowFactory.create((double) d.label(i), Vectors.dense(x)));
        }
        return spark.createDataFrame(rows, schema);
    }
}
