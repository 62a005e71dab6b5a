package dev.panamax.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tar reader on archives written by GNU tar in its three formats (gnu long names, ustar prefixes,
 * pax headers): a long name, an empty file, sizes at block edges; and on damaged input.
 */
class TarEntriesTest {

    private static Map<String, byte[]> readAll(InputStream in) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        TarEntries entries = new TarEntries(in, "test archive");
        while (entries.next()) {
            out.put(entries.name(), entries.content().readAllBytes());
        }
        return out;
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** A gzipped archive of {@code files} (relative paths) made by the system's tar, in the order given. */
    static Path tarGz(Path dir, Map<String, byte[]> files, String format) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Path archive = dir.resolve("a.tgz");
        var command = new java.util.ArrayList<>(java.util.List.of("tar", "--format=" + format, "-czf", archive.toString(),
                "-C", root.toString()));
        command.addAll(files.keySet());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tar did not finish");
        assertEquals(0, p.exitValue(), "tar failed: " + output);
        return archive;
    }

    @Test
    void readsEveryRegularFileOfAGnuTarArchiveByItsFullName(@TempDir Path dir) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/package.json", "{\"name\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        files.put("package/data/exactly-one-block", bytes(512, 1));
        files.put("package/data/one-more-than-a-block", bytes(513, 2));
        files.put("package/data/empty", new byte[0]);
        files.put("package/" + "a-name-longer-than-the-hundred-bytes-of-a-tar-header/".repeat(3) + "file", bytes(3000, 3));
        for (String format : new String[] {"gnu", "ustar", "posix"}) {
            Path archive = tarGz(dir.resolve(format), files, format);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
                Map<String, byte[]> read = readAll(in);
                assertEquals(files.keySet(), read.keySet(), format + " entries");
                for (String name : files.keySet()) {
                    assertArrayEquals(files.get(name), read.get(name), format + " " + name);
                }
            }
        }
    }

    @Test
    void whatACallerLeavesUnreadIsSkipped(@TempDir Path dir) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("first", bytes(5000, 4));
        files.put("second", bytes(700, 5));
        Path archive = tarGz(dir, files, "ustar");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            TarEntries entries = new TarEntries(in, archive.toString());
            assertTrue(entries.next());
            assertEquals("first", entries.name());
            assertEquals(5000, entries.size());
            entries.content().readNBytes(10);
            assertTrue(entries.next());
            assertEquals("second", entries.name());
            assertArrayEquals(files.get("second"), entries.content().readAllBytes());
            assertTrue(!entries.next());
        }
    }

    @Test
    void aTruncatedArchiveIsAnErrorNotAShortFile(@TempDir Path dir) throws Exception {
        Path archive = tarGz(dir, Map.of("big", bytes(4096, 6)), "ustar");
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            tar = in.readAllBytes();
        }
        byte[] cut = java.util.Arrays.copyOf(tar, 512 + 1000);
        TarEntries entries = new TarEntries(new ByteArrayInputStream(cut), "cut.tar");
        assertTrue(entries.next());
        EOFException e = assertThrows(EOFException.class, () -> entries.content().readAllBytes());
        assertTrue(e.getMessage().contains("cut.tar") && e.getMessage().contains("big"), e.getMessage());
    }

    @Test
    void somethingThatIsNotTarIsSaidToBeSo() {
        byte[] notTar = bytes(2048, 7);
        IOException e = assertThrows(IOException.class, () -> readAll(new ByteArrayInputStream(notTar)));
        assertTrue(e.getMessage().contains("not a tar archive"), e.getMessage());
    }
}
