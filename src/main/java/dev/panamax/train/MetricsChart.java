package dev.panamax.train;

import dev.panamax.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws loss and accuracy per epoch as a PNG: two panels side by side, train and test curves in
 * each. Plain java.awt in headless mode, so it needs no display and no plotting library.
 */
final class MetricsChart {
    private static final int PANEL_WIDTH = 560;
    private static final int HEIGHT = 400;
    private static final int MARGIN_LEFT = 70;
    private static final int MARGIN_RIGHT = 20;
    private static final int MARGIN_TOP = 40;
    private static final int MARGIN_BOTTOM = 50;
    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color TEST = new Color(255, 127, 14);

    private MetricsChart() {
    }

    /** Writes the chart to {@code png} (atomically: an existing chart is replaced whole or not at all). */
    public static void write(Path png, String title, List<EpochMetrics> epochs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(2 * PANEL_WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            panel(g, 0, title + ": loss", epochs, EpochMetrics::trainLoss, EpochMetrics::testLoss, false);
            panel(g, PANEL_WIDTH, title + ": accuracy (%)", epochs, m -> 100 * m.trainAccuracy(),
                    m -> 100 * m.testAccuracy(), true);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    private static void panel(Graphics2D g, int x0, String title, List<EpochMetrics> epochs,
                              ToDoubleFunction<EpochMetrics> train, ToDoubleFunction<EpochMetrics> test, boolean legend) {
        int left = x0 + MARGIN_LEFT;
        int right = x0 + PANEL_WIDTH - MARGIN_RIGHT;
        int top = MARGIN_TOP;
        int bottom = HEIGHT - MARGIN_BOTTOM;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (EpochMetrics m : epochs) {
            for (double v : new double[] {train.applyAsDouble(m), test.applyAsDouble(m)}) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(hi > lo)) {
            lo = Double.isFinite(lo) ? lo - 1 : 0;
            hi = lo + 2;
        }
        double pad = 0.05 * (hi - lo);
        lo -= pad;
        hi += pad;
        int firstEpoch = epochs.isEmpty() ? 1 : epochs.getFirst().epoch();
        int lastEpoch = epochs.isEmpty() ? 2 : Math.max(epochs.getLast().epoch(), firstEpoch + 1);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, top - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(230, 230, 230));
        for (int i = 0; i <= 5; i++) {
            int y = bottom - i * (bottom - top) / 5;
            g.drawLine(left, y, right, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        for (int i = 0; i <= 5; i++) {
            int y = bottom - i * (bottom - top) / 5;
            double v = lo + i * (hi - lo) / 5;
            g.drawString(String.format(Locale.ROOT, "%.3g", v), x0 + 8, y + 4);
        }
        int span = lastEpoch - firstEpoch;
        int step = Math.max(1, span / 10);
        for (int e = firstEpoch; e <= lastEpoch; e += step) {
            int x = left + (int) Math.round((double) (e - firstEpoch) / span * (right - left));
            g.drawLine(x, bottom, x, bottom + 4);
            g.drawString(Integer.toString(e), x - 4, bottom + 18);
        }
        g.drawString("epoch", (left + right) / 2 - 15, bottom + 38);
        curve(g, epochs, train, TRAIN, lo, hi, firstEpoch, span, left, right, top, bottom);
        curve(g, epochs, test, TEST, lo, hi, firstEpoch, span, left, right, top, bottom);
        if (legend) {
            g.setColor(TRAIN);
            g.fillRect(right - 90, top + 12, 14, 4);
            g.setColor(TEST);
            g.fillRect(right - 90, top + 30, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString("train", right - 70, top + 18);
            g.drawString("test", right - 70, top + 36);
        }
    }

    private static void curve(Graphics2D g, List<EpochMetrics> epochs, ToDoubleFunction<EpochMetrics> f, Color color,
                              double lo, double hi, int firstEpoch, int span, int left, int right, int top, int bottom) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int px = -1;
        int py = -1;
        for (EpochMetrics m : epochs) {
            double v = f.applyAsDouble(m);
            if (!Double.isFinite(v)) {
                px = -1;
                continue;
            }
            int x = left + (int) Math.round((double) (m.epoch() - firstEpoch) / span * (right - left));
            int y = bottom - (int) Math.round((v - lo) / (hi - lo) * (bottom - top));
            g.fillOval(x - 3, y - 3, 6, 6);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1f));
    }
}
