package dev.panamax.data;

import dev.panamax.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes sure a folder holds a set of {@link RemoteFile}s, downloading the missing or corrupt ones
 * from a list of mirrors tried in order. Each download goes to a temporary file in the folder, is
 * checked against its SHA-256 and only then renamed into place.
 *
 * <p>Fails fast: connections time out after a short connect timeout, and a mirror that could not
 * be connected to is not tried again for the other files of the same call. A download holds at most
 * {@code maxBytes}: a server that announces or sends more is cut off ({@link BoundedBody}).
 */
final class MirrorDownloader {
    /** Connect timeout used by {@link #withDefaults(PrintStream)}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long {@link #withDefaults(PrintStream)} waits for a response to begin (its headers: HttpClient's
     * request timeout does not cover the body, which {@link #DEFAULT_MAX_BYTES} bounds instead).
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(3);
    /** The most one download may hold: over twice the largest file fetched (Fashion-MNIST's 26 MB of images). */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final long maxBytes;
    private final PrintStream log;

    public MirrorDownloader(Duration connectTimeout, Duration requestTimeout, PrintStream log) {
        this(connectTimeout, requestTimeout, DEFAULT_MAX_BYTES, log);
    }

    /** As above, with downloads of at most {@code maxBytes} each. */
    public MirrorDownloader(Duration connectTimeout, Duration requestTimeout, long maxBytes, PrintStream log) {
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.maxBytes = maxBytes;
        this.log = log;
    }

    public static MirrorDownloader withDefaults(PrintStream log) {
        return new MirrorDownloader(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, log);
    }

    /** Names of the files of {@code files} that are missing in {@code dir} or fail their hash. */
    public List<RemoteFile> missingOrCorrupt(Path dir, List<RemoteFile> files) throws IOException {
        List<RemoteFile> missing = new ArrayList<>();
        for (RemoteFile f : files) {
            Path p = dir.resolve(f.name());
            if (!Files.isRegularFile(p)) {
                missing.add(f);
            } else if (!f.matches(p)) {
                log.println("panamax: " + p + " does not match its SHA-256 " + f.sha256() + "; fetching it again");
                missing.add(f);
            }
        }
        return missing;
    }

    /**
     * Ensures every file of {@code files} is in {@code dir} with the right hash, downloading from
     * {@code mirrors} (base URLs ending in '/') what is not. On failure the message lists, per
     * mirror, why it did not deliver.
     */
    public void ensure(Path dir, List<RemoteFile> files, List<URI> mirrors) throws IOException {
        List<RemoteFile> todo = missingOrCorrupt(dir, files);
        if (todo.isEmpty()) {
            return;
        }
        Files.createDirectories(dir);
        // A client per call, closed after it: its selector thread does not outlive the downloads.
        try (HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build()) {
            fetchAll(client, dir, todo, mirrors);
        }
    }

    private void fetchAll(HttpClient client, Path dir, List<RemoteFile> todo, List<URI> mirrors) throws IOException {
        Set<URI> unreachable = new HashSet<>();
        for (RemoteFile f : todo) {
            List<String> failures = new ArrayList<>();
            boolean fetched = false;
            for (URI mirror : mirrors) {
                URI url = mirror.resolve(f.name());
                if (unreachable.contains(mirror)) {
                    failures.add(url + ": skipped (mirror unreachable for an earlier file)");
                    continue;
                }
                try {
                    download(client, url, f, dir);
                    fetched = true;
                    break;
                } catch (ConnectException | HttpConnectTimeoutException e) {
                    unreachable.add(mirror);
                    failures.add(url + ": cannot connect (" + describe(e) + ")");
                } catch (IOException e) {
                    failures.add(url + ": " + describe(e));
                }
            }
            if (!fetched) {
                throw new DatasetException("could not download " + f.name() + " into " + dir + " from any mirror:\n  "
                        + String.join("\n  ", failures));
            }
        }
    }

    private void download(HttpClient client, URI url, RemoteFile f, Path dir) throws IOException {
        log.println("panamax: trying " + url);
        Path temp = Files.createTempFile(dir, "." + f.name() + ".", ".download");
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout).GET().build();
            HttpResponse<Path> response;
            try {
                response = client.send(request, BoundedBody.toFile(temp, maxBytes));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading", e);
            }
            if (response.statusCode() != 200) {
                throw new IOException("HTTP status " + response.statusCode());
            }
            String actual = f.actualSha256(temp);
            if (!actual.equals(f.sha256())) {
                throw new IOException("SHA-256 mismatch: expected " + f.sha256() + ", got " + actual);
            }
            AtomicFiles.moveIntoPlace(temp, dir.resolve(f.name()));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String describe(Throwable e) {
        // The HTTP client often wraps the informative cause (unknown host, refused) in a bare exception.
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            String part = t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
            if (sb.indexOf(part) < 0) {
                if (!sb.isEmpty()) {
                    sb.append(" <- ");
                }
                sb.append(part);
            }
        }
        return sb.toString();
    }
}
