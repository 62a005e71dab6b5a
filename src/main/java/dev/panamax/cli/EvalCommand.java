package dev.panamax.cli;

import dev.panamax.backend.Compute;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.Standardization;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.backend.Activation;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.nn.StateDict;
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

/**
 * {@code panamax eval}: accuracy, per-class accuracy and the confusion matrix of a model on a data set.
 * The model is a Panamax checkpoint (its metadata names sizes, activation, loss and standardisation),
 * or a plain PyTorch state dict of Linear layers ({@link StateDict}: sizes from the shapes, the
 * activation and loss from the options, inputs as loaded, pixels in [0,1], as torchvision's ToTensor).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model: a Panamax checkpoint, or a PyTorch state dict of Linear layers"
                + " (safetensors.torch.save_file(model.state_dict(), FILE)); accuracy, per-class accuracy and confusion matrix.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "A last.safetensors written by 'panamax train',"
            + " or a PyTorch state dict of nn.Sequential Linear layers (N.weight [out, in], N.bias [out]).")
    Path checkpoint;

    @Option(names = "--activation", description = "Hidden activation of a PyTorch state dict (relu, sigmoid or tanh),"
            + " which the file does not record; a Panamax checkpoint names its own. Default: relu")
    String activation;

    @Option(names = "--loss", description = "Loss for the mean loss of a PyTorch state dict (cross_entropy, mse,"
            + " gaussian_nll); a Panamax checkpoint names its own. Default: cross_entropy")
    String loss;

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
        data.validate(cl);
        Map<String, String> meta;
        StateDict stateDict = null;
        ModelSpec spec;
        try (SafetensorsReader r = SafetensorsReader.open(checkpoint)) {
            meta = r.metadata();
            if (ModelSpec.isCheckpoint(meta)) {
                spec = ModelSpec.fromMetadata(meta, checkpoint.toString());
                Checkpoint.requireShapes(r, spec.sizes()); // before the model it claims is allocated
                CliErrors.require(cl, activation == null
                                || CliErrors.option(cl, "--activation", () -> Activation.parse(activation)) == spec.activation(),
                        checkpoint + " is a Panamax checkpoint of a " + spec.activation().label()
                                + " model; --activation applies to PyTorch state dicts only");
            } else {
                stateDict = StateDict.read(r);
                Activation act = CliErrors.option(cl, "--activation",
                        () -> Activation.parse(activation == null ? "relu" : activation));
                Loss lossKind = CliErrors.option(cl, "--loss", () -> Loss.parse(loss == null ? "cross_entropy" : loss));
                spec = ModelSpec.unstandardized(stateDict.sizes(), act, lossKind);
                System.out.println("note: " + checkpoint + " is a PyTorch state dict (" + stateDict.layers().size()
                        + " Linear layers); hidden activation " + act.label()
                        + (activation == null ? " (the default; pass --activation if the model used another)" : ""));
            }
        }
        String trainedOn = meta.get("dataset");
        if (data.dataDir == null && trainedOn != null && !trainedOn.equals(data.dataset)) {
            // advice that works: a name --dataset takes, else the folder form (a 10k subset, a --data DIR run)
            String advice = DataOptions.DATASETS.contains(trainedOn) ? "--dataset " + trainedOn
                    : "--data DIR with the IDX files it was trained on";
            System.out.println("note: the checkpoint was trained on " + trainedOn + "; evaluating on " + data.dataset
                    + " (pass " + advice + " for its own data)");
        }
        try (DatasetPair pair = data.load()) {
            Dataset d = split.equals("test") ? pair.test() : pair.train();
            int[] sizes = spec.sizes();
            if (sizes[0] != d.features() || sizes[sizes.length - 1] != d.classes()) {
                throw new IllegalArgumentException(checkpoint + " is a " + spec + " model: it takes " + sizes[0]
                        + " inputs and predicts " + sizes[sizes.length - 1] + " classes, but " + d.description() + " has "
                        + d.features() + " features and " + d.classes() + " classes");
            }
            if (spec.standardized()) {
                // the training run's statistics, not this split's own
                new Standardization(spec.inputMean(), spec.inputStd()).applyTo(d);
            }
            try (Compute compute = new Compute(backendOptions.create());
                 Mlp mlp = Mlp.create(spec.sizes(), spec.activation(), 0, compute)) {
                if (stateDict != null) {
                    stateDict.loadInto(mlp);
                } else {
                    Checkpoint.load(checkpoint, mlp, null);
                }
                try (Trainer trainer = new Trainer(mlp, spec.loss(), null, compute, spec.sizes()[0],
                        spec.sizes()[spec.sizes().length - 1])) {
                    Evaluation e = Evaluation.run(trainer, d, batchSize);
                    print(e, d, spec, meta, stateDict != null);
                }
            }
        }
        return 0;
    }

    private void print(Evaluation e, Dataset d, ModelSpec spec, Map<String, String> meta, boolean stateDict) {
        if (stateDict) {
            System.out.println("Model      " + checkpoint + " (" + spec + ", a PyTorch state dict)");
        } else {
            System.out.println("Checkpoint " + checkpoint + " (" + spec + ", epoch " + meta.getOrDefault("epoch", "?") + ", "
                    + meta.getOrDefault("optimizer_spec", "?") + ")");
        }
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
