package dev.panamax.io;

import dev.panamax.TestResources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the PyTorch golden data: env PANAMAX_GOLDEN_DIR (another set, e.g. one regenerated with
 * scripts/make-golden DIR), else system property panamax.golden.dir (the pom sets it to the
 * repository's copy, src/test/resources/golden), else that copy as the test class path has it (a run
 * from an IDE). A missing folder fails the test that asks for it, naming the places looked at: golden
 * checks are never skipped silently.
 */
public final class GoldenDir {
    public static final String ENV = "PANAMAX_GOLDEN_DIR";
    public static final String PROPERTY = "panamax.golden.dir";
    /** The repository's copy, relative to the test class path's root and to src/test/resources. */
    public static final String RESOURCE = "golden";

    private GoldenDir() {
    }

    public static Path path() {
        String env = System.getenv(ENV);
        String prop = System.getProperty(PROPERTY);
        Path dir = env != null && !env.isBlank() ? Path.of(env)
                : prop != null && !prop.isBlank() ? Path.of(prop)
                : classPathCopy();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("golden data folder " + dir.toAbsolutePath() + " does not exist (env "
                    + ENV + "=" + env + ", -D" + PROPERTY + "=" + prop + "; the repository's copy is src/test/resources/"
                    + RESOURCE + ", made by scripts/make-golden)");
        }
        return dir;
    }

    private static Path classPathCopy() {
        return TestResources.folder(RESOURCE, "manifest.json");
    }

    /** The golden files whose names start with {@code prefix} and end in .safetensors, sorted by name. */
    public static List<Path> files(String prefix) throws IOException {
        return files(path(), prefix);
    }

    /** As {@link #files(String)}, in {@code dir}. */
    public static List<Path> files(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = s.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".safetensors"))
                    .sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no " + prefix + "*.safetensors files in " + dir.toAbsolutePath());
            }
            return out;
        }
    }
}
