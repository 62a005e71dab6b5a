package dev.panamax.data;

import java.io.IOException;
import java.io.InputStream;

/** An InputStream that reads in blocks only: the single-byte read is one block read of one byte. */
abstract class BlockInputStream extends InputStream {
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
