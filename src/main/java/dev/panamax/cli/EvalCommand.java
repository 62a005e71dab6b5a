package dev.panamax.cli;

import dev.panamax.backend.Compute;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.Standardization;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Mlp;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.Evaluation;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code panamax eval}: accuracy, per-class accuracy and the confusion matrix of a checkpoint on a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a training checkpoint: accuracy, per-class accuracy and confusion matrix.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A last.safetensors written by 'panamax train'.")
    Path checkpoint;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Option(names = "--split", description = "test or train. Default: ${DEFAULT-VALUE}")
    String split = "test";

    @Option(names = "--batch-size", description = "Evaluation batch size. Default: ${DEFAULT-VALUE}")
    int batchSize = 500;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = commandSpec.commandLine();
        CliErrors.require(cl, split.equals("test") || split.equals("train"), "--split must be test or train, got '" + split + "'");
        CliErrors.require(cl, batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
        backendOptions.validate(cl);
        Map<String, String> meta;
        try (SafetensorsReader r = SafetensorsReader.open(checkpoint)) {
            meta = r.metadata();
        }
        ModelSpec spec = ModelSpec.fromMetadata(meta, checkpoint.toString());
        String trainedOn = meta.get("dataset");
        if (data.dataDir == null && trainedOn != null && !trainedOn.equals(data.dataset)) {
            System.out.println("note: the checkpoint was trained on " + trainedOn + "; evaluating on " + data.dataset
                    + " (pass --dataset " + trainedOn + " for its own data)");
        }
        try (DatasetPair pair = data.load()) {
            Dataset d = split.equals("test") ? pair.test() : pair.train();
            if (spec.standardized()) {
                // the training run's statistics, not this split's own
                new Standardization(spec.inputMean(), spec.inputStd()).applyTo(d);
            }
            try (Compute compute = new Compute(backendOptions.create());
                 Mlp mlp = Mlp.create(spec.sizes(), spec.activation(), 0, compute)) {
                Checkpoint.load(checkpoint, mlp, null);
                try (Trainer trainer = new Trainer(mlp, spec.loss(), null, compute, spec.sizes()[0],
                        spec.sizes()[spec.sizes().length - 1])) {
                    Evaluation e = Evaluation.run(trainer, d, batchSize);
                    print(e, d, spec, meta);
                }
            }
        }
        return 0;
    }

    private void print(Evaluation e, Dataset d, ModelSpec spec, Map<String, String> meta) {
        System.out.println("Checkpoint " + checkpoint + " (" + spec + ", epoch " + meta.getOrDefault("epoch", "?") + ", "
                + meta.getOrDefault("optimizer_spec", "?") + ")");
        System.out.println("Data       " + d.description() + ", " + d.size() + " samples");
        System.out.printf(Locale.ROOT, "Accuracy   %.2f%%   mean loss %.4f%n", 100 * e.accuracy(), e.meanLoss());
        double[] perClass = e.perClassAccuracy();
        long[][] cm = e.confusion();
        System.out.println("Per class  (rows: true class, columns: predicted)");
        StringBuilder header = new StringBuilder("  class  acc%   ");
        for (int j = 0; j < cm.length; j++) {
            header.append(String.format(Locale.ROOT, "%6d", j));
        }
        System.out.println(header);
        for (int i = 0; i < cm.length; i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %5d %6.2f  ", i, 100 * perClass[i]));
            for (long v : cm[i]) {
                row.append(String.format(Locale.ROOT, "%6d", v));
            }
            System.out.println(row);
        }
    }
}
