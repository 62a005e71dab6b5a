package dev.panamax.cli;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.Standardization;
import dev.panamax.nn.Loss;
import dev.panamax.nn.ParameterSummary;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.train.EpochMetrics;
import dev.panamax.train.InitialWeights;
import dev.panamax.train.RunFolder;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.TrainingSession;
import dev.panamax.train.TrainingWarmup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code panamax train}: trains the MLP with a progress bar, per-epoch metrics, checkpoints and a plot. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an MLP classifier on MNIST, Fashion-MNIST or a folder of IDX files.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Option(names = "--epochs", description = "Epochs to train (with --resume: the final epoch). Default: ${DEFAULT-VALUE}")
    int epochs = 10;

    @Option(names = "--batch-size", description = "Mini-batch size. Default: ${DEFAULT-VALUE}")
    int batchSize = 128;

    @Option(names = "--hidden", split = ",", description = "Hidden layer sizes, comma-separated. Default: 256")
    int[] hidden = {256};

    @Option(names = "--activation", description = "relu, sigmoid or tanh. Default: ${DEFAULT-VALUE}")
    String activation = "relu";

    @Option(names = "--loss", description = "cross_entropy, mse (on softmax) or gaussian_nll. Default: ${DEFAULT-VALUE}")
    String loss = "cross_entropy";

    @Option(names = "--optimizer", description = "Optimizer spec in PyTorch's words, e.g. 'sgd(lr=0.05,momentum=0.9,nesterov=true)', "
            + "'adam(lr=1e-3)', 'rmsprop(lr=0.01,centered=true)'. Default: ${DEFAULT-VALUE}")
    String optimizer = "sgd(lr=0.1,momentum=0.9)";

    @Option(names = "--seed", description = "Seed for initialisation and shuffling. Default: ${DEFAULT-VALUE}")
    long seed = 42;

    @Option(names = "--standardize", description = "Standardise inputs with the training set's mean and std.")
    boolean standardize;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Checkpoint and metrics folder "
            + "(last.safetensors, metrics.jsonl, metrics.csv, training.png). Default: runs/<dataset>-<optimizer>-<loss>-<time>")
    Path runDir;

    @Option(names = "--resume", description = "Continue from DIR/last.safetensors up to --epochs.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace the checkpoint and metrics an earlier run left in --run-dir.")
    boolean overwrite;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--warmup-steps", description = "Steps of a small replica of the run (same activation, loss and optimizer) before training, so the JIT compiles every path while steps are cheap (0 = none). Default: ${DEFAULT-VALUE}")
    int warmupSteps = TrainingWarmup.DEFAULT_STEPS;

    @Option(names = "--init-from", paramLabel = "FILE", description = "Start from the weights of FILE: a PyTorch state dict"
            + " of nn.Sequential Linear layers (N.weight [out, in], N.bias [out]) or a Panamax checkpoint (its weights only:"
            + " the optimizer starts afresh). The hidden sizes are read from it; --activation must be the model's.")
    Path initFrom;

    @Option(names = "--train-limit", description = "Use only the first N training samples (0 = all).")
    int trainLimit;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        // every option is checked before the data set is loaded (which may try the network)
        CommandLine cl = commandSpec.commandLine();
        Activation parsedActivation = CliErrors.option(cl, "--activation", () -> Activation.parse(activation));
        Loss lossKind = CliErrors.option(cl, "--loss", () -> Loss.parse(loss));
        OptimizerSpec optSpec = CliErrors.option(cl, "--optimizer", () -> OptimizerSpec.parse(optimizer));
        CliErrors.require(cl, epochs >= 1, "--epochs must be at least 1, got " + epochs);
        CliErrors.require(cl, batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
        CliErrors.require(cl, trainLimit >= 0, "--train-limit must be >= 0 (0 = all), got " + trainLimit);
        CliErrors.require(cl, hidden.length > 0 && java.util.Arrays.stream(hidden).allMatch(h -> h > 0),
                "--hidden sizes must be positive, got " + java.util.Arrays.toString(hidden));
        CliErrors.require(cl, !(resume && overwrite), "--resume and --overwrite contradict each other");
        CliErrors.require(cl, !resume || runDir != null, "--resume needs the --run-dir of the run to continue");
        CliErrors.require(cl, runDir == null || !runDir.toString().isBlank(), "--run-dir must name a folder, got ''");
        CliErrors.require(cl, !(resume && initFrom != null), "--resume continues a run's own weights; --init-from starts a new run");
        InitialWeights init = initFrom == null ? null : InitialWeights.read(initFrom);
        if (init != null) {
            int[] fileHidden = java.util.Arrays.copyOfRange(init.sizes(), 1, init.sizes().length - 1);
            CliErrors.require(cl, !cl.getParseResult().hasMatchedOption("--hidden")
                            || java.util.Arrays.equals(fileHidden, hidden),
                    "--hidden " + java.util.Arrays.toString(hidden) + " contradicts " + initFrom + ", whose hidden sizes are "
                            + java.util.Arrays.toString(fileHidden));
            hidden = fileHidden;
            if (init.activation().isPresent() && init.activation().get() != parsedActivation) {
                CliErrors.require(cl, !cl.getParseResult().hasMatchedOption("--activation"), "--activation " + activation
                        + " contradicts " + initFrom + ", a " + init.activation().get().label() + " model");
                parsedActivation = init.activation().get();
            }
        }
        Activation act = parsedActivation;
        backendOptions.validate(cl);
        data.validate(cl);
        // the folder is locked before the data loads, so that a second run on it is refused at once
        try (RunFolder folder = runDir == null ? null : RunFolder.open(runDir, TrainingSession.CHECKPOINT);
             DatasetPair pair = checkedRunFolder(folder).load(trainLimit);
             Dataset limited = trainLimit > 0 && trainLimit < pair.train().size() ? pair.train().head(trainLimit) : null) {
            DatasetPair d = limited == null ? pair
                    : new DatasetPair(pair.name(), pair.label(), pair.origin(), limited, pair.test());
            out.println("Data       " + d.description());
            double mean = 0;
            double std = 1;
            if (standardize) {
                Standardization s = d.standardize();
                mean = s.mean();
                std = s.std();
                out.printf(Locale.ROOT, "           standardised with mean %.4f, std %.4f%n", mean, std);
            }
            int[] sizes = new int[hidden.length + 2];
            sizes[0] = d.train().features();
            System.arraycopy(hidden, 0, sizes, 1, hidden.length);
            sizes[sizes.length - 1] = d.train().classes();
            if (init != null && !java.util.Arrays.equals(sizes, init.sizes())) {
                throw new IOException(initFrom + " holds a " + init.describeSizes() + " model; " + d.description() + " needs "
                        + sizes[0] + " inputs and " + sizes[sizes.length - 1] + " classes");
            }
            ModelSpec spec = new ModelSpec(sizes, act, lossKind, mean, std);
            Path dir = runDir != null ? runDir : Path.of("runs", d.name() + "-" + optSpec.optimizerName().toLowerCase(Locale.ROOT)
                    + "-" + lossKind.label() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            try (Compute compute = new Compute(backendOptions.create());
                 TrainingSession session = new TrainingSession(spec, optSpec, compute, d,
                         new TrainingSession.Options(epochs, batchSize, seed, dir, resume), folder)) {
                out.println("Backend    " + compute.name() + ": " + compute.backend().describe());
                if (warmupSteps > 0 && !compute.name().equals("scalar") && !compute.asynchronous()) {
                    TrainingWarmup.Result warm = TrainingWarmup.run(spec, optSpec, compute, warmupSteps, batchSize);
                    out.printf(Locale.ROOT, "Warm-up    %d steps of a 32-wide replica and %d at full size, then until the JIT was idle: %.1f s%n",
                            warmupSteps, warm.fullSizeSteps(), warm.seconds());
                }
                out.println("Optimizer  " + optSpec);
                out.println("Loss       " + lossKind.label());
                if (init != null) {
                    init.loadInto(session.model());
                    out.println("Weights    from " + initFrom + " (" + init.kind() + ")");
                }
                out.println("Model      " + session.model());
                out.print(ParameterSummary.table(session.model()).indent(11));
                for (String notice : session.notices()) {
                    out.println("Note       " + notice);
                }
                if (session.nextEpoch() > 1) {
                    out.println("Resumed    from " + dir.resolve(TrainingSession.CHECKPOINT) + " after epoch "
                            + (session.nextEpoch() - 1) + " (step " + session.optimizer().stepCount() + ")");
                }
                if (session.nextEpoch() > epochs) {
                    out.println("Nothing to do: the checkpoint already has " + (session.nextEpoch() - 1) + " epochs");
                    return 0;
                }
                boolean interactive = System.console() != null && System.console().isTerminal();
                session.run(new Reporter(out, interactive, epochs));
                out.println("Run folder " + dir.toAbsolutePath() + " (last.safetensors, metrics.jsonl, metrics.csv, training.png)");
            }
        }
        return 0;
    }

    /** The data options, once the locked run folder has been checked for an earlier run's checkpoint. */
    private DataOptions checkedRunFolder(RunFolder folder) throws IOException {
        if (folder != null && !resume && !overwrite && Files.exists(folder.dir().resolve(TrainingSession.CHECKPOINT))) {
            throw new IOException("the run folder " + folder.dir() + " already holds a checkpoint: pass --resume to continue"
                    + " it, --overwrite to replace it, or another --run-dir");
        }
        return data;
    }

    /** Prints the progress bar during an epoch and one summary line after it. */
    private static final class Reporter implements TrainingSession.Listener {
        private final PrintStream out;
        private final boolean interactive;
        private final int epochs;
        private ProgressBar bar;
        private int barEpoch = -1;

        Reporter(PrintStream out, boolean interactive, int epochs) {
            this.out = out;
            this.interactive = interactive;
            this.epochs = epochs;
        }

        @Override
        public void batch(int epoch, long done, long total, double loss, double accuracy) {
            if (epoch != barEpoch) {
                bar = new ProgressBar(out, interactive, String.format(Locale.ROOT, "epoch %2d/%d", epoch, epochs), total);
                barEpoch = epoch;
            }
            bar.update(done, loss, accuracy);
        }

        @Override
        public void warning(String text) {
            if (bar != null) {
                bar.finish();
                bar = null;
            }
            out.println("Warning    " + text);
        }

        @Override
        public void epoch(EpochMetrics m, Path checkpoint) {
            if (bar != null) {
                bar.finish();
            }
            out.printf(Locale.ROOT, "epoch %2d/%d  train loss %.4f acc %6.2f%%  test loss %.4f acc %6.2f%%  %.2f s, %s samples/s%n",
                    m.epoch(), epochs, m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(),
                    m.seconds(), ProgressBar.human(m.samplesPerSecond()));
        }
    }
}
