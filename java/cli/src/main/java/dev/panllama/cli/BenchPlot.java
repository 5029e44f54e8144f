package dev.panllama.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Draws generation speed against cache depth, one line per model, so the cost of a long
 * context (and how GQA/MQA soften it) shows at a glance. Plain java.awt, headless.
 */
final class BenchPlot {
    private static final int W = 900, H = 560, LEFT = 80, RIGHT = 230, TOP = 50, BOTTOM = 60;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private BenchPlot() {}

    /** The generation results as lines: "model (N threads)" to depth to tokens/s; the most threads per model. */
    static Map<String, TreeMap<Integer, Double>> series(List<BenchResult> results) {
        Map<String, Integer> maxThreads = new LinkedHashMap<>();
        for (BenchResult r : results) {
            if (r.nGen() > 0) maxThreads.merge(r.model(), r.threads(), Math::max);
        }
        Map<String, TreeMap<Integer, Double>> lines = new LinkedHashMap<>();
        for (BenchResult r : results) {
            if (r.nGen() > 0 && r.threads() == maxThreads.get(r.model())) {
                String label = r.model() + " (tg" + r.nGen() + ", " + r.threads() + "t)";
                lines.computeIfAbsent(label, k -> new TreeMap<>()).put(r.depth(), r.mean());
            }
        }
        return lines;
    }

    static void write(List<BenchResult> results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, TreeMap<Integer, Double>> lines = series(results);
        if (lines.isEmpty()) {
            throw new dev.panllama.PanllamaException("--plot draws generation speed, but no tg test ran (give -n above 0)");
        }
        int maxDepth = 1;
        double maxRate = 1e-9;
        for (TreeMap<Integer, Double> s : lines.values()) {
            maxDepth = Math.max(maxDepth, s.lastKey());
            for (double v : s.values()) maxRate = Math.max(maxRate, v);
        }
        double yMax = niceCeiling(maxRate * 1.05);

        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;

            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.setColor(Color.BLACK);
            g.drawString("Generation speed vs. context depth", LEFT, 30);

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i <= 5; i++) { // y grid and labels
                double v = yMax * i / 5;
                int y = TOP + ph - (int) Math.round(ph * i / 5.0);
                g.setColor(new Color(0xe0e0e0));
                g.drawLine(LEFT, y, LEFT + pw, y);
                g.setColor(Color.DARK_GRAY);
                String s = String.format(Locale.ROOT, yMax >= 10 ? "%.0f" : "%.1f", v);
                g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + 4);
            }
            for (int i = 0; i <= 4; i++) { // x labels
                int d = (int) Math.round(maxDepth * i / 4.0);
                int x = LEFT + (int) Math.round(pw * i / 4.0);
                g.setColor(new Color(0xe0e0e0));
                g.drawLine(x, TOP, x, TOP + ph);
                g.setColor(Color.DARK_GRAY);
                String s = Integer.toString(d);
                g.drawString(s, x - fm.stringWidth(s) / 2, TOP + ph + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            g.drawString("tokens already in the KV cache (depth)", LEFT + pw / 2 - 110, H - 18);
            Graphics2D gr = (Graphics2D) g.create();
            gr.rotate(-Math.PI / 2);
            gr.drawString("generated tokens / s", -(TOP + ph / 2 + 60), 20);
            gr.dispose();

            int i = 0;
            for (Map.Entry<String, TreeMap<Integer, Double>> e : lines.entrySet()) {
                Color c = COLORS[i % COLORS.length];
                g.setColor(c);
                g.setStroke(new BasicStroke(2.2f));
                List<int[]> pts = new ArrayList<>();
                for (Map.Entry<Integer, Double> p : e.getValue().entrySet()) {
                    pts.add(new int[] {LEFT + (int) Math.round(pw * p.getKey() / (double) maxDepth),
                        TOP + ph - (int) Math.round(ph * p.getValue() / yMax)});
                }
                for (int k = 1; k < pts.size(); k++) {
                    g.drawLine(pts.get(k - 1)[0], pts.get(k - 1)[1], pts.get(k)[0], pts.get(k)[1]);
                }
                for (int[] p : pts) g.fillOval(p[0] - 4, p[1] - 4, 8, 8);
                int ly = TOP + 10 + i * 20; // legend
                g.fillRect(LEFT + pw + 15, ly - 8, 14, 10);
                g.setColor(Color.BLACK);
                g.drawString(shorten(e.getKey(), fm, RIGHT - 40), LEFT + pw + 35, ly + 2);
                i++;
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    private static String shorten(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        while (s.length() > 4 && fm.stringWidth(s + "…") > width) s = s.substring(0, s.length() - 1);
        return s + "…";
    }

    /** 1, 2 or 5 times a power of ten, at least v. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) return m * p;
        }
        return 10 * p;
    }
}
