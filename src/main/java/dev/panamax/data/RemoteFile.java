package dev.panamax.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A file a data set needs, by name, with the SHA-256 that identifies it. {@code hashOfContent}
 * says whether the hash covers the file as stored or its decompressed content (used where
 * distributors recompress the same data, as Debian does for Fashion-MNIST).
 */
record RemoteFile(String name, String sha256, boolean hashOfContent) {
    public RemoteFile {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("SHA-256 of " + name + " must be 64 lower-case hex digits: " + sha256);
        }
    }

    /** A file identified by the hash of its stored bytes. */
    public static RemoteFile stored(String name, String sha256) {
        return new RemoteFile(name, sha256, false);
    }

    /** A (possibly gzipped) file identified by the hash of its decompressed content. */
    public static RemoteFile content(String name, String sha256) {
        return new RemoteFile(name, sha256, true);
    }

    /** True when {@code file} has the expected hash. */
    public boolean matches(Path file) throws IOException {
        return sha256.equals(actualSha256(file));
    }

    /** SHA-256 of {@code file} (or of its decompressed content), as lower-case hex. */
    public String actualSha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            InputStream in = raw;
            if (hashOfContent) {
                raw.mark(2);
                boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                if (gzip) {
                    in = new GZIPInputStream(raw, 1 << 16);
                }
            }
            try (DigestInputStream d = new DigestInputStream(in, digest)) {
                d.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(digest.digest()).toLowerCase(Locale.ROOT);
    }
}
