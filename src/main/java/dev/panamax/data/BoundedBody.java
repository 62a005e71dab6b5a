package dev.panamax.data;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body written to a file, and refused past a byte limit: a server that announces more
 * (Content-Length) is cut off before a byte is written, one that sends more than the limit (whatever it
 * announced) as soon as it does. HttpClient's request timeout ends when the response headers arrive, so
 * without a limit a body that never ends would fill the disk.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<Path> {
    private final HttpResponse.BodySubscriber<Path> file;
    private final long maxBytes;
    private final long announced;
    private Flow.Subscription subscription;
    private long received;
    private boolean refused;

    private BoundedBody(HttpResponse.BodySubscriber<Path> file, long maxBytes, long announced) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.announced = announced;
    }

    /** The body into {@code target}, at most {@code maxBytes} of it. */
    static HttpResponse.BodyHandler<Path> toFile(Path target, long maxBytes) {
        return info -> new BoundedBody(HttpResponse.BodySubscribers.ofFile(target), maxBytes,
                info.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        file.onSubscribe(s);
        if (announced > maxBytes) {
            refuse("the server announces " + announced + " bytes (Content-Length)");
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (refused) {
            return; // cancelled: what was in flight is dropped
        }
        for (ByteBuffer b : items) {
            received += b.remaining();
        }
        if (received > maxBytes) {
            refuse("the server sends more than that" + (announced >= 0 ? " (it announced " + announced + " bytes)" : ""));
            return;
        }
        file.onNext(items);
    }

    @Override
    public void onError(Throwable t) {
        if (!refused) {
            file.onError(t);
        }
    }

    @Override
    public void onComplete() {
        if (!refused) {
            file.onComplete();
        }
    }

    @Override
    public CompletionStage<Path> getBody() {
        return file.getBody();
    }

    private void refuse(String what) {
        refused = true;
        subscription.cancel();
        file.onError(new IOException("a download may hold at most " + maxBytes + " bytes, but " + what));
    }
}
