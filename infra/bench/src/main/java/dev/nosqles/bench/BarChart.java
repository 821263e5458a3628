package dev.nosqles.bench;

import java.util.List;
import java.util.Locale;

/** Horizontal grouped bar charts as standalone SVG: one group per category, one bar per series. */
public final class BarChart {
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};
    private static final int WIDTH = 860;
    private static final int LABEL_WIDTH = 250;
    private static final int VALUE_WIDTH = 90;
    private static final int BAR = 13;
    private static final int BAR_GAP = 2;
    private static final int GROUP_GAP = 10;
    private static final int TOP = 58;

    private BarChart() {
    }

    /** One bar per category. */
    public record Series(String name, double[] values) {
    }

    /**
     * @param valueFormat {@link String#format} pattern for the value printed at the end of each bar
     */
    public static String svg(String title, String axis, List<String> categories, List<Series> series,
                             String valueFormat) {
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        if (max <= 0) {
            max = 1;
        }
        int plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        int groupHeight = series.size() * (BAR + BAR_GAP) + GROUP_GAP;
        int height = TOP + categories.size() * groupHeight + 30;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(text(10, 18, 14, "bold", "start", title));
        int x = 10;
        for (int s = 0; s < series.size(); s++) {
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"28\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
                    x, COLORS[s % COLORS.length]));
            b.append(text(x + 14, 37, 11, "normal", "start", series.get(s).name()));
            x += 24 + 7 * series.get(s).name().length();
        }
        b.append(text(WIDTH - 10, 37, 11, "normal", "end", axis));
        for (int c = 0; c < categories.size(); c++) {
            int y0 = TOP + c * groupHeight;
            int mid = y0 + (series.size() * (BAR + BAR_GAP)) / 2 + 4;
            b.append(text(LABEL_WIDTH - 8, mid, 11, "normal", "end", categories.get(c)));
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values()[c];
                int y = y0 + s * (BAR + BAR_GAP);
                int w = Double.isFinite(v) ? (int) Math.round(plot * v / max) : 0;
                b.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                        LABEL_WIDTH, y, Math.max(w, v > 0 ? 1 : 0), BAR, COLORS[s % COLORS.length]));
                String label = Double.isFinite(v) ? String.format(Locale.ROOT, valueFormat, v) : "n/a";
                b.append(text(LABEL_WIDTH + w + 4, y + BAR - 3, 10, "normal", "start", label));
            }
        }
        int axisY = TOP + categories.size() * groupHeight;
        b.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", LABEL_WIDTH, TOP - 4,
                LABEL_WIDTH, axisY));
        b.append("</svg>\n");
        return b.toString();
    }

    private static String text(int x, int y, int size, String weight, String anchor, String content) {
        return String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>%n",
                x, y, size, weight, anchor, escape(content));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
