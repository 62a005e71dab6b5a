package dev.panamax.data;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 60000 training and 10000 test 28x28 grey images
 * of clothing in 10 classes, a drop-in replacement for MNIST.
 *
 * <p>Order of attempts: folders that already hold the IDX files (by default Debian's package
 * {@code dataset-fashion-mnist}, which installs them in {@value #DEBIAN_DIR}, then the cache folder
 * {@code <datasets>/fashion-mnist}), then a download from the Zalando mirror into the cache folder,
 * checked against the SHA-256 of the decompressed files (the same for upstream's and Debian's
 * differently compressed copies).
 */
public final class FashionMnistSource implements DatasetSource {
    /** The data set's name, as {@link DatasetSources#byName} takes it. */
    public static final String NAME = "fashion-mnist";
    /** Where Debian's package installs the IDX files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    /** Debian's package of the data set. */
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

    /** Zalando's mirror of the four gzipped files. */
    public static final List<URI> MIRRORS = List.of(
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    /** SHA-256 of the decompressed IDX content of each file. */
    static final List<RemoteFile> FILES = List.of(
            RemoteFile.content("train-images-idx3-ubyte.gz",
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            RemoteFile.content("train-labels-idx1-ubyte.gz",
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            RemoteFile.content("t10k-images-idx3-ubyte.gz",
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            RemoteFile.content("t10k-labels-idx1-ubyte.gz",
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

    /** Class names in label order, from the Fashion-MNIST README. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final List<Path> localDirs;
    private final Path cacheDir;
    private final List<URI> mirrors;
    private final MirrorDownloader downloader;

    /**
     * @param localDirs folders searched first, in order
     * @param cacheDir where downloads go (searched after {@code localDirs})
     */
    FashionMnistSource(List<Path> localDirs, Path cacheDir, List<URI> mirrors, MirrorDownloader downloader) {
        this.localDirs = List.copyOf(localDirs);
        this.cacheDir = cacheDir;
        this.mirrors = List.copyOf(mirrors);
        this.downloader = downloader;
    }

    /**
     * Debian's folder first, then the default cache ({@link DatasetSources#datasetsDir()}), then
     * Zalando's mirror; download notices on stderr.
     *
     * @return the source; nothing is read or downloaded until it is loaded
     */
    public static FashionMnistSource withDefaults() {
        return new FashionMnistSource(List.of(Path.of(DEBIAN_DIR)), DatasetSources.datasetsDir().resolve(NAME),
                MIRRORS, MirrorDownloader.withDefaults(System.err));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DatasetPair load(int trainLimit) throws IOException {
        for (Path dir : localDirs) {
            Optional<DatasetPair.Files> files = IdxDirectorySource.find(dir);
            if (files.isPresent()) {
                return DatasetPair.load(NAME, "Fashion-MNIST", 10, 28, 28, files.get(), trainLimit);
            }
        }
        try {
            downloader.ensure(cacheDir, FILES, mirrors);
        } catch (DatasetException unreachable) {
            throw new DatasetException("Fashion-MNIST is not available: not found in " + localDirs + " and "
                    + unreachable.getMessage() + "\nInstall it with: apt-get install " + DEBIAN_PACKAGE
                    + " (puts the IDX files in " + DEBIAN_DIR + "), or pass --data DIR", unreachable);
        }
        return DatasetPair.load(NAME, "Fashion-MNIST", 10, 28, 28, new DatasetPair.Files(
                cacheDir.resolve(FILES.get(0).name()), cacheDir.resolve(FILES.get(1).name()),
                cacheDir.resolve(FILES.get(2).name()), cacheDir.resolve(FILES.get(3).name())), trainLimit);
    }
}
