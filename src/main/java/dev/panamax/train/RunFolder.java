package dev.panamax.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A training run's folder, held for the run's lifetime: checked writable before the first epoch, locked
 * against a second run (an OS file lock on {@value #LOCK}, which the OS releases when the process dies,
 * so a killed run never blocks the next one; the file names the holder's process id for the message),
 * and cleared of the temporary files that a killed run's atomic writes left behind.
 */
public final class RunFolder implements AutoCloseable {
    /** The lock file's name inside the run folder. */
    public static final String LOCK = ".panamax-run.lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final List<String> notices = new ArrayList<>();

    private RunFolder(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} if needed, checks that {@code checkpointName} in it is a file or absent, locks it
     * and removes stale temporary files. Fails, naming the folder, when it cannot be written or another
     * run holds it.
     *
     * @param dir            the run folder, created with its parents when absent
     * @param checkpointName the checkpoint's file name in it, e.g. {@link TrainingSession#CHECKPOINT}
     * @return the held folder; close it to release the lock
     * @throws IOException naming the folder if it cannot be created or written, the checkpoint name is taken
     *         by something other than a file, or another process (or this one) holds the lock
     */
    public static RunFolder open(Path dir, String checkpointName) throws IOException {
        if (dir.toString().isEmpty()) {
            throw new IOException("the run folder is empty: give --run-dir a folder name");
        }
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new IOException("cannot use " + dir + " as the run folder: " + p + " is not a folder");
                }
                break; // the nearest existing ancestor is a folder: the rest can be created
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw new IOException("cannot use " + dir + " as the run folder: " + reason(e), e);
        }
        Path checkpoint = dir.resolve(checkpointName);
        if (Files.exists(checkpoint) && !Files.isRegularFile(checkpoint)) {
            throw new IOException("the run folder's checkpoint " + checkpoint + " is not a regular file");
        }
        Path lockFile = dir.resolve(LOCK);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (FileSystemException e) {
            throw new IOException("cannot write into the run folder " + dir + ": " + reason(e), e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot lock the run folder " + dir + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IOException("the run folder " + dir + " is in use by another training run (" + holder
                    + "); wait for it to end, or give this run another --run-dir");
        }
        RunFolder folder = new RunFolder(dir, channel, lock);
        try {
            folder.writeHolder();
            folder.removeStaleTemporaries();
        } catch (IOException | RuntimeException e) {
            folder.close();
            throw e;
        }
        return folder;
    }

    private static String reason(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getFile() + ")";
        }
        if (e instanceof NoSuchFileException) {
            return e.getFile() + " does not exist";
        }
        return e.getReason() != null ? e.getReason() + " (" + e.getFile() + ")" : e.toString();
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(256);
            channel.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "a process that has not written its id yet" : text;
        } catch (IOException e) {
            return "its process id could not be read: " + e.getMessage();
        }
    }

    private void writeHolder() throws IOException {
        byte[] text = ("process " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text), 0);
        channel.force(false);
    }

    /** The dot-prefixed ".NAME.RANDOM.tmp" files of AtomicFiles and SafetensorsWriter that no write is using. */
    private void removeStaleTemporaries() throws IOException {
        long bytes = 0;
        int count = 0;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(p)) {
                    bytes += Files.size(p);
                    Files.deleteIfExists(p);
                    count++;
                }
            }
        }
        if (count > 0) {
            notices.add(String.format(Locale.ROOT, "removed %d temporary file%s (%.1f MB) that an interrupted run left in %s",
                    count, count == 1 ? "" : "s", bytes / 1e6, dir));
        }
    }

    /**
     * The folder held.
     *
     * @return the path given to {@link #open}
     */
    public Path dir() {
        return dir;
    }

    /**
     * What opening found and did (stale temporary files removed).
     *
     * @return one line per notice, possibly none
     */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    /**
     * Releases the lock; the lock file stays (deleting it could race with the next run's lock).
     *
     * @throws IOException if the lock or its file cannot be released
     */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
