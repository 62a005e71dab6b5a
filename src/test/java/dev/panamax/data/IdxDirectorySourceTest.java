package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDirectorySourceTest {
    @TempDir
    Path dir;

    @Test
    void findsKaggleStyleAndTestPrefixedPlainFiles() throws IOException {
        TinyIdx.write(dir, 12, 4, "train-images.idx3-ubyte", "train-labels.idx1-ubyte", "test-images-idx3-ubyte",
                "test-labels-idx1-ubyte.gz");
        try (DatasetPair pair = DatasetSources.directory(dir).load()) {
            assertEquals(12, pair.train().size());
            assertEquals(4, pair.test().size());
            assertEquals(dir.getFileName().toString(), pair.name());
            // pixel (i, p) = (7 i + p) mod 256 scaled by 1/255
            assertEquals(((7 * 3 + 5) % 256) / 255f, pair.train().images().get(3, 5), 0f);
        }
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        TinyIdx.write(dir, 12, 4, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "x", "y");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetSources.directory(dir).load());
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]"), e.getMessage());
    }

    @Test
    void aFileGivenAsTheFolderIsSaidToBeAFile() throws IOException {
        Path file = java.nio.file.Files.writeString(dir.resolve("train-images-idx3-ubyte"), "x");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetSources.directory(file).load());
        assertTrue(e.getMessage().contains(file + " is a file, not a folder"), e.getMessage());
    }

    /** A folder, a dangling link or a link loop where an IDX file should be is named as what it is, not as missing. */
    @Test
    void somethingThatIsNotAFileIsNamedAsSuch() throws IOException {
        TinyIdx.write(dir, 12, 4, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "unused");
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        java.nio.file.Files.createDirectory(labels);
        DatasetException folder = assertThrows(DatasetException.class, () -> DatasetSources.directory(dir).load());
        assertTrue(folder.getMessage().contains(labels + " is there but is not a regular file (a folder)"), folder.getMessage());
        java.nio.file.Files.delete(labels);
        java.nio.file.Files.createSymbolicLink(labels, dir.resolve("nowhere"));
        DatasetException dangling = assertThrows(DatasetException.class, () -> DatasetSources.directory(dir).load());
        assertTrue(dangling.getMessage().contains("a link that leads nowhere or loops"), dangling.getMessage());
        java.nio.file.Files.delete(labels);
        java.nio.file.Files.createSymbolicLink(labels, labels);
        DatasetException loop = assertThrows(DatasetException.class, () -> DatasetSources.directory(dir).load());
        assertTrue(loop.getMessage().contains("a link that leads nowhere or loops"), loop.getMessage());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetSources.byName("cifar"));
        assertTrue(e.getMessage().contains("[mnist, fashion-mnist]"), e.getMessage());
    }
}
