package dev.panamax.data;

import dev.panamax.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX files (the layout {@link IdxReader} reads), optionally gzipped, atomically through
 * {@link AtomicFiles}: a crash mid-write leaves the previous file, never a truncated one.
 */
public final class IdxWriter {
    private IdxWriter() {
    }

    /**
     * Writes {@code array} to {@code target}; {@code gzip} compresses it (whatever the file name says).
     *
     * @param target the file, replaced atomically if it exists
     * @param array  the array to write
     * @param gzip   whether to gzip the file
     * @throws IOException if the file cannot be written; the previous file is then left as it was
     */
    public static void write(Path target, IdxArray array, boolean gzip) throws IOException {
        AtomicFiles.write(target, out -> {
            if (gzip) {
                GZIPOutputStream zipped = new GZIPOutputStream(out, 1 << 16);
                writeTo(zipped, array);
                zipped.finish();
            } else {
                writeTo(out, array);
            }
        });
    }

    /**
     * Writes the header and payload of {@code array} to a stream (not closed).
     *
     * @param out   the stream
     * @param array the array to write
     * @throws IOException if the stream fails
     */
    public static void writeTo(OutputStream out, IdxArray array) throws IOException {
        int rank = array.rank();
        out.write(new byte[] {0, 0, (byte) array.type().code(), (byte) rank});
        byte[] dims = new byte[4 * rank];
        for (int i = 0; i < rank; i++) {
            int d = array.dim(i);
            dims[4 * i] = (byte) (d >>> 24);
            dims[4 * i + 1] = (byte) (d >>> 16);
            dims[4 * i + 2] = (byte) (d >>> 8);
            dims[4 * i + 3] = (byte) d;
        }
        out.write(dims);
        out.write(array.payload());
    }
}
