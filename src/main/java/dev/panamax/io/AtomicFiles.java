package dev.panamax.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that readers see either the old file or the complete new one, never a
 * partial write: the bytes go to a temporary file in the same folder, are forced to disk, and the
 * temporary file is renamed over the target. On failure the temporary file is removed.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What fills the file. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the file's bytes.
         *
         * @param out the temporary file's stream; flushed and forced to disk afterwards, not to be closed here
         * @throws IOException if writing fails; the target is then left as it was
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically, creating its parent folders.
     *
     * @param target  the file to write or replace
     * @param content what fills it
     * @throws IOException naming {@code target} if the folder, the temporary file or the rename fails, or
     *         {@code content} throws; the previous file at {@code target} is then unchanged and the
     *         temporary file removed
     */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            } catch (IOException e) {
                throw failedWrite(absolute, e);
            }
            moveIntoPlace(temp, absolute);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * The failure of an atomic write of {@code target}, naming it: "No space left on device" alone names
     * no file. The earlier file at {@code target} is untouched, and the message says so. A message that
     * already names {@code target} is kept as it is.
     */
    static IOException failedWrite(Path target, IOException e) {
        if (e.getMessage() != null && e.getMessage().contains(target.toString())) {
            return e;
        }
        return new IOException("writing " + target + " failed (" + e.getMessage() + "); the file there before is unchanged", e);
    }

    /**
     * Renames a finished temporary file over {@code target} (atomically where the file system can), and
     * gives it the permissions {@code rw-r--r--} on POSIX file systems.
     *
     * @param temp   the finished file, in {@code target}'s folder
     * @param target the file it replaces
     * @throws IOException if the permissions cannot be set or the rename fails
     */
    public static void moveIntoPlace(Path temp, Path target) throws IOException {
        // Temporary files are created owner-only; the finished file gets the usual rw-r--r--.
        if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
