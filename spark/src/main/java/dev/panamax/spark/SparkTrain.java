package dev.panamax.spark;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.DatasetSources;
import dev.panamax.data.Standardization;
import dev.panamax.nn.Loss;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.Evaluation;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code scripts/spark-train}: data-parallel training of the MLP on Spark, and optionally MLlib's MLPC on the same data. */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
        description = "Trains the MLP data-parallel on Apache Spark (local mode by default).")
public final class SparkTrain implements Callable<Integer> {
    @Option(names = "--master", description = "Spark master URL (default: ${DEFAULT-VALUE}).")
    String master = "local[2]";
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "A folder of MNIST-style IDX files, readable at the same path on every executor.")
    Path data;
    @Option(names = "--workers", description = "Shards, one task each per step (default: ${DEFAULT-VALUE}).")
    int workers = 2;
    @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 3;
    @Option(names = "--batch", description = "Global batch per step, over all workers (default: ${DEFAULT-VALUE}).")
    int batch = 4096;
    @Option(names = "--hidden", description = "Hidden layer width (default: ${DEFAULT-VALUE}).")
    int hidden = 256;
    @Option(names = "--activation", description = "relu, sigmoid or tanh (default: ${DEFAULT-VALUE}).")
    String activation = "relu";
    @Option(names = "--optimizer", description = "An optimizer spec as panamax train takes it (default: ${DEFAULT-VALUE}).")
    String optimizer = "adam(lr=0.003)";
    @Option(names = "--backend", description = "The executors' Panamax backend (default: ${DEFAULT-VALUE}).")
    String backend = "simd";
    @Option(names = "--seed", description = "Seed of the weights and the shuffles (default: ${DEFAULT-VALUE}).")
    long seed = 1;
    @Option(names = "--sum", paramLabel = "rabit|driver",
            description = "How each step's gradient shares are summed: rabit (Rabit's all-reduce in one barrier stage"
                    + " per epoch) or driver (one Spark job per step, summed on the driver). Default: ${DEFAULT-VALUE}.")
    String sum = "rabit";
    @Option(names = "--epochs-per-stage", paramLabel = "N",
            description = "With --sum rabit: epochs run in one barrier stage, the test accuracy printed after each"
                    + " stage (default: ${DEFAULT-VALUE}).")
    int epochsPerStage = 1;
    @Option(names = "--out", paramLabel = "FILE", description = "Where to save the trained checkpoint.")
    Path out;
    @Option(names = "--peer-mlpc", paramLabel = "ITERATIONS",
            description = "Also train MLlib's MultilayerPerceptronClassifier (sigmoid, L-BFGS) for this many iterations.")
    int peerIterations;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkTrain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("panamax-spark-train")
                // the weights broadcast every step are floats that do not compress: skip the LZ4 pass both ways
                .setIfMissing("spark.broadcast.compress", "false");
        if (master.startsWith("local")) {
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
        }
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        if (!sum.equals("rabit") && !sum.equals("driver")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--sum takes rabit or driver, not " + sum);
        }
        boolean rabit = sum.equals("rabit");
        if (epochsPerStage < 1 || epochsPerStage > 1 && !rabit) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--epochs-per-stage takes a count >= 1, and more than 1 only with --sum rabit");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf); DatasetPair pair = DatasetSources.directory(data).load();
             Compute compute = new Compute(Backends.create(backend, 1))) {
            Dataset train = pair.train();
            Dataset test = pair.test();
            Standardization stats = Standardization.fit(train);
            int[] sizes = {train.features(), hidden, train.classes()};
            Activation act = Activation.parse(activation);
            TrainingPlan plan = new TrainingPlan(UUID.randomUUID().toString(), data.toAbsolutePath().toString(), sizes,
                    act, Loss.CROSS_ENTROPY, stats.mean(), stats.std(), batch, seed, backend, taskCpus, -1);
            System.out.printf(Locale.ROOT, "Spark %s, %d workers x %d thread(s), global batch %d, %s, %s on %s,"
                            + " gradients summed %s%n", sc.version(), workers, taskCpus, batch, optimizer,
                    java.util.Arrays.toString(sizes), pair.description(),
                    rabit ? "by Rabit's all-reduce (a barrier stage per epoch)" : "on the driver (a job per step)");
            try (DataParallelTrainer trainer = new DataParallelTrainer(sc, plan, workers, train.size(), optimizer,
                    compute);
                 Dataset scored = test.head(test.size())) { // standardized for our model; the peer reads the raw one
                stats.applyTo(scored);
                double training = 0; // seconds in steps only: the per-epoch test evaluation is not counted
                try (Trainer eval = new Trainer(trainer.model(), Loss.CROSS_ENTROPY, null, compute, sizes[0],
                        sizes[2])) {
                    int perRound = rabit ? epochsPerStage : 1;
                    for (int e = 1; e <= epochs; e += perRound) {
                        int count = Math.min(perRound, epochs - e + 1);
                        long roundStart = System.nanoTime();
                        double jobBefore = trainer.jobSeconds();
                        double taskBefore = trainer.slowestTaskSeconds();
                        double driverBefore = trainer.driverSeconds();
                        double allReduceBefore = trainer.allReduceSeconds();
                        double[] losses;
                        if (rabit) {
                            losses = trainer.epochs(count);
                        } else {
                            double loss = 0;
                            for (int s = 0; s < trainer.stepsPerEpoch(); s++) {
                                loss += trainer.step();
                            }
                            losses = new double[] {loss / trainer.stepsPerEpoch()};
                        }
                        double seconds = (System.nanoTime() - roundStart) / 1e9;
                        training += seconds;
                        double accuracy = Evaluation.run(eval, scored, 1024).accuracy();
                        String epochsDone = count == 1 ? "epoch " + e : "epochs " + e + "-" + (e + count - 1);
                        StringBuilder lossText = new StringBuilder();
                        for (double l : losses) {
                            lossText.append(lossText.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.4f", l));
                        }
                        System.out.printf(Locale.ROOT, "%s  loss %s  test %.2f%%  %.0f samples/s  %.2f s"
                                        + " (Spark jobs %.2f s, of which the slowest replica computing %.2f s%s; driver"
                                        + " %.2f s)  %.1f s so far%n",
                                epochsDone, lossText, 100 * accuracy,
                                count * trainer.stepsPerEpoch() * (double) batch / seconds, seconds,
                                trainer.jobSeconds() - jobBefore, trainer.slowestTaskSeconds() - taskBefore,
                                rabit ? String.format(Locale.ROOT, " and in all-reduces %.2f s",
                                        trainer.allReduceSeconds() - allReduceBefore) : "",
                                trainer.driverSeconds() - driverBefore, training);
                    }
                    System.out.printf(Locale.ROOT, "panamax: test accuracy %.2f%%, training %.1f s%n",
                            100 * Evaluation.run(eval, scored, 1024).accuracy(), training);
                }
                if (out != null) {
                    ModelSpec spec = new ModelSpec(sizes, act, Loss.CROSS_ENTROPY, stats.mean(), stats.std());
                    Map<String, String> meta = new HashMap<>(spec.toMetadata());
                    meta.put("optimizer_spec", optimizer);
                    meta.put("epoch", Integer.toString(epochs));
                    Checkpoint.save(out, trainer.model(), trainer.optimizer(), meta);
                    System.out.println("saved " + out);
                }
            }
            if (peerIterations > 0) {
                SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
                long start = System.nanoTime();
                double accuracy = MlpcPeer.trainAndTest(spark, train, test, sizes, peerIterations, seed, workers);
                System.out.printf(Locale.ROOT, "mllib MLPC (sigmoid, L-BFGS, %d iterations): test accuracy %.2f%%,"
                        + " training and test %.1f s%n", peerIterations, 100 * accuracy,
                        (System.nanoTime() - start) / 1e9);
            }
        }
        return 0;
    }
}
