package dev.panamax.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar for an epoch: bar, percentage, samples, running loss and accuracy,
 * samples/s and ETA. On a terminal it redraws in place (carriage return) at most ~10 times a second;
 * when output goes to a file or pipe it prints a line at every 25% instead, so logs stay readable.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final String label;
    private final long total;
    private final long startNanos;
    private long lastDraw;
    private int lastQuarter;

    ProgressBar(PrintStream out, boolean interactive, String label, long total) {
        this.out = out;
        this.interactive = interactive;
        this.label = label;
        this.total = total;
        this.startNanos = System.nanoTime();
    }

    /** Reports {@code done} samples processed with the running mean loss and accuracy. */
    void update(long done, double loss, double accuracy) {
        long now = System.nanoTime();
        boolean finished = done >= total;
        if (interactive) {
            if (!finished && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            out.print('\r' + line(done, loss, accuracy, now));
            out.flush();
        } else {
            int quarter = (int) (4 * done / Math.max(1, total));
            if (quarter > lastQuarter && !finished) {
                lastQuarter = quarter;
                out.println(line(done, loss, accuracy, now));
            }
        }
    }

    /** Ends the bar's line (terminal mode), leaving the final state visible. */
    void finish() {
        if (interactive) {
            out.println();
        }
    }

    String line(long done, double loss, double accuracy, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        double fraction = Math.min(1.0, (double) done / Math.max(1, total));
        int filled = (int) Math.round(fraction * WIDTH);
        StringBuilder bar = new StringBuilder(WIDTH);
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : (i == filled ? '>' : ' '));
        }
        // below 0.1 s the rate is mostly timer noise (the first batch alone gives millions per second)
        if (seconds < 0.1) {
            return String.format(Locale.ROOT, "%s [%s] %3.0f%% %d/%d  loss %.4f  acc %5.2f%%", label, bar,
                    100 * fraction, done, total, loss, 100 * accuracy);
        }
        long etaSeconds = rate > 0 ? Math.round((total - done) / rate) : 0;
        return String.format(Locale.ROOT, "%s [%s] %3.0f%% %d/%d  loss %.4f  acc %5.2f%%  %s samples/s  ETA %d:%02d",
                label, bar, 100 * fraction, done, total, loss, 100 * accuracy, human(rate), etaSeconds / 60,
                etaSeconds % 60);
    }

    static String human(double rate) {
        if (rate >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", rate / 1e6);
        }
        if (rate >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", rate / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", rate);
    }
}
