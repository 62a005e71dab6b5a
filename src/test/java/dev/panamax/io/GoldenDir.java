package dev.panamax.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the PyTorch golden data: env PANAMAX_GOLDEN_DIR, else system property
 * panamax.golden.dir (set by the pom), else ../shared/golden. A missing folder fails the test
 * that asks for it, naming the places looked at: golden checks are never skipped silently.
 */
public final class GoldenDir {
    public static final String ENV = "PANAMAX_GOLDEN_DIR";
    public static final String PROPERTY = "panamax.golden.dir";

    private GoldenDir() {
    }

    public static Path path() {
        String env = System.getenv(ENV);
        String prop = System.getProperty(PROPERTY);
        Path dir = env != null && !env.isBlank() ? Path.of(env)
                : prop != null && !prop.isBlank() ? Path.of(prop)
                : Path.of("..", "shared", "golden");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("golden data folder " + dir.toAbsolutePath() + " does not exist (set env "
                    + ENV + " or -D" + PROPERTY + " to the folder holding the *.safetensors reference files)");
        }
        return dir;
    }

    /** The golden files whose names start with {@code prefix} and end in .safetensors, sorted by name. */
    public static List<Path> files(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(path())) {
            List<Path> out = s.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".safetensors"))
                    .sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no " + prefix + "*.safetensors files in " + path().toAbsolutePath());
            }
            return out;
        }
    }
}
