package dev.panamax.backend.blas;

import dev.panamax.backend.BackendUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;

/**
 * The OpenBLAS natives shipped in the Maven artifact {@code org.bytedeco:openblas:linux-x86_64},
 * extracted once into a cache folder so that they can be loaded from a real file.
 *
 * <p>Cache: {@code $XDG_CACHE_HOME/panamax/openblas-VERSION/} (or {@code ~/.cache/...}), or the
 * folder named by {@code -Dpanamax.blas.cache}. Each file is written to a temporary name and
 * renamed into place, so a crash or a second JVM extracting at the same time never leaves a
 * half-written library under the final name. A cached file is trusted only when its size and
 * CRC-32 match the jar entry's (the jar's central directory carries both, so checking costs no
 * decompression); otherwise it is extracted again.
 *
 * <p>Only the OpenBLAS library and its runtime dependencies are used; JavaCPP's JNI wrappers in
 * the same jar are not.
 */
public final class BundledOpenBlas {
    /** Overrides the cache root folder (a {@code openblas-VERSION} folder is made inside it). */
    public static final String CACHE_PROPERTY = "panamax.blas.cache";

    static final String RESOURCE_DIR = "org/bytedeco/openblas/linux-x86_64/";
    private static final String POM_PROPERTIES = "META-INF/maven/org.bytedeco/openblas/pom.properties";

    /**
     * The files to extract, in load order: each one's dependencies come before it. libopenblas's
     * RUNPATH is $ORIGIN, but libgfortran has none, so its own dependencies (libquadmath,
     * libgcc_s) would be looked up in the system folders; loading them first by absolute path
     * makes the dynamic linker reuse them by SONAME instead.
     */
    static final List<String> LOAD_ORDER =
            List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");

    private BundledOpenBlas() {
    }

    /** The version of the natives on the class path (from the artifact's pom.properties). */
    static String version() {
        try (InputStream in = resource(POM_PROPERTIES)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + POM_PROPERTIES, e);
        }
    }

    /** The cache root: the property, else $XDG_CACHE_HOME/panamax, else ~/.cache/panamax. */
    public static Path defaultCacheRoot() {
        String forced = System.getProperty(CACHE_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return Path.of(forced);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "panamax");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "panamax");
    }

    /**
     * Makes sure every file of {@link #LOAD_ORDER} is in {@code cacheRoot/openblas-VERSION/} with
     * the jar's content, extracting what is missing or does not match.
     *
     * @return the extracted files in load order
     * @throws BackendUnavailableException when this platform has no bundled natives, they are not
     *                                     on the class path, or the cache cannot be written
     */
    static List<Path> extract(Path cacheRoot) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new BackendUnavailableException("the bundled OpenBLAS natives are built for linux-x86_64, this is "
                    + os + "-" + arch);
        }
        // the library itself first, so that a jar that is simply absent is reported by its main file
        for (String name : LOAD_ORDER.reversed()) {
            if (BundledOpenBlas.class.getClassLoader().getResource(RESOURCE_DIR + name) == null) {
                throw new BackendUnavailableException("the bundled OpenBLAS natives are not on the class path (resource "
                        + RESOURCE_DIR + name + " of org.bytedeco:openblas:linux-x86_64 not found)");
            }
        }
        Path dir = cacheRoot.resolve("openblas-" + version());
        List<Path> out = new ArrayList<>();
        for (String name : LOAD_ORDER) {
            URL url = BundledOpenBlas.class.getClassLoader().getResource(RESOURCE_DIR + name);
            Path target = dir.resolve(name);
            try {
                Files.createDirectories(dir);
                Fingerprint expected = Fingerprint.ofResource(url);
                if (!expected.matches(target)) {
                    extractOne(url, target, expected);
                }
            } catch (IOException e) {
                throw new BackendUnavailableException("cannot extract the bundled " + name + " into " + dir + ": " + e, e);
            }
            out.add(target);
        }
        return out;
    }

    private static void extractOne(URL url, Path target, Fingerprint expected) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".part");
        try {
            try (InputStream in = open(url); OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
            if (!expected.matches(temp)) {
                throw new IOException("extracted " + url + " does not match the jar entry (" + expected + ")");
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // same folder, so this only happens on exotic file systems; a plain replace is still whole-file
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static InputStream resource(String name) {
        return BundledOpenBlas.class.getClassLoader().getResourceAsStream(name);
    }

    private static InputStream open(URL url) throws IOException {
        URLConnection c = url.openConnection();
        c.setUseCaches(false); // a cached JarFile stream would be shared with other readers
        return c.getInputStream();
    }

    /** Size and CRC-32 of a file's content, the two checks a jar entry records. */
    record Fingerprint(long size, long crc32) {
        static Fingerprint ofResource(URL url) throws IOException {
            URLConnection c = url.openConnection();
            if (c instanceof JarURLConnection jar) {
                JarEntry entry = jar.getJarEntry();
                if (entry.getSize() >= 0 && entry.getCrc() >= 0) {
                    return new Fingerprint(entry.getSize(), entry.getCrc());
                }
            }
            // an exploded class-path folder (or an entry without recorded sums): compute them
            try (InputStream in = open(url)) {
                return of(in);
            }
        }

        static Fingerprint of(InputStream in) throws IOException {
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[1 << 16];
            long size = 0;
            for (int read; (read = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, read);
                size += read;
            }
            return new Fingerprint(size, crc.getValue());
        }

        boolean matches(Path file) throws IOException {
            if (!Files.isRegularFile(file) || Files.size(file) != size) {
                return false;
            }
            CRC32 crc = new CRC32();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                crc.update(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
            }
            return crc.getValue() == crc32;
        }

        @Override
        public String toString() {
            return size + " bytes, CRC-32 " + Long.toHexString(crc32);
        }
    }
}
