package dev.panamax.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run folder: one run at a time (across processes), stale locks and temporary files, unusable folders. */
class RunFolderTest {

    @Test
    void aSecondRunInTheSameProcessIsRefusedNamingTheHolder(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        try (RunFolder first = RunFolder.open(dir, "last.safetensors")) {
            IOException e = assertThrows(IOException.class, () -> RunFolder.open(dir, "last.safetensors"));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("in use by another training run")
                    && e.getMessage().contains("process " + ProcessHandle.current().pid()), e.getMessage());
        }
        RunFolder.open(dir, "last.safetensors").close(); // released: free again
    }

    @Test
    void aRunInAnotherProcessHoldsTheFolderUntilItDiesAndItsLockIsNotStale(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RunFolderHolder.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine(), "the holder process did not lock the folder");
            IOException e = assertThrows(IOException.class, () -> RunFolder.open(dir, "last.safetensors"));
            assertTrue(e.getMessage().contains("process " + holder.pid()), e.getMessage());
        } finally {
            holder.destroyForcibly(); // a kill -9: no cleanup runs in the holder
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(dir.resolve(RunFolder.LOCK)), "the killed run's lock file is still there");
        try (RunFolder next = RunFolder.open(dir, "last.safetensors")) {
            assertEquals(dir, next.dir()); // the OS released the dead process's lock: the file does not block
        }
    }

    @Test
    void temporaryFilesOfAnInterruptedRunAreRemovedAndReported(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.write(dir.resolve(".last.safetensors.123456.tmp"), new byte[2_000_000]);
        Files.write(dir.resolve(".training.png.987.tmp"), new byte[10]);
        Files.writeString(dir.resolve("notes.tmp"), "a user's file, not ours");
        Files.writeString(dir.resolve("metrics.csv"), "epoch\n");
        try (RunFolder folder = RunFolder.open(dir, "last.safetensors")) {
            assertEquals(1, folder.notices().size(), folder.notices().toString());
            assertTrue(folder.notices().getFirst().contains("removed 2 temporary files (2.0 MB)"), folder.notices().toString());
        }
        try (var s = Files.list(dir)) {
            assertEquals(List.of(RunFolder.LOCK, "metrics.csv", "notes.tmp"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void anUnusableFolderIsReportedBeforeAnyTraining(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        IOException e = assertThrows(IOException.class, () -> RunFolder.open(file, "last.safetensors"));
        assertTrue(e.getMessage().contains("cannot use " + file + " as the run folder"), e.getMessage());
        IOException under = assertThrows(IOException.class, () -> RunFolder.open(file.resolve("run"), "last.safetensors"));
        assertTrue(under.getMessage().contains("is not a folder"), under.getMessage());
        Path dir = Files.createDirectories(tmp.resolve("run").resolve("last.safetensors"));
        IOException folderCheckpoint = assertThrows(IOException.class, () -> RunFolder.open(dir.getParent(), "last.safetensors"));
        assertTrue(folderCheckpoint.getMessage().contains("is not a regular file"), folderCheckpoint.getMessage());
        IOException empty = assertThrows(IOException.class, () -> RunFolder.open(Path.of(""), "last.safetensors"));
        assertTrue(empty.getMessage().contains("--run-dir"), empty.getMessage());
        assertFalse(Files.exists(Path.of(RunFolder.LOCK)), "nothing written into the current folder");
    }
}
