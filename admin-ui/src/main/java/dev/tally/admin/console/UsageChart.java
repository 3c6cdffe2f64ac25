package dev.tally.admin.console;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * A meter's usage per day as an inline SVG bar chart, drawn on the server: no script, nothing for the CSP to allow,
 * and the numbers are rating's, exactly (each bar's title holds the day's exact quantity; the scale is only for
 * drawing). Every text in the SVG is escaped here.
 */
public final class UsageChart {
    static final int WIDTH = 720;
    static final int HEIGHT = 180;
    private static final int LEFT = 64;
    private static final int BOTTOM = 24;
    private static final int TOP = 12;

    private UsageChart() {
    }

    /** One day: {@code day} as yyyy-mm-dd, its exact quantity and event count. */
    public record Day(String day, BigDecimal quantity, long events) {
    }

    public static String svg(String meter, List<Day> days) {
        List<Bar> bars = days.stream().map(d -> new Bar(d.day().length() >= 10 ? d.day().substring(5) : d.day(), d.quantity(), d.day() + ": "
                + d.quantity().toPlainString() + " (" + d.events() + (d.events() == 1 ? " event)" : " events)"))).toList();
        return bars("Usage of " + meter + " per UTC day", bars);
    }

    /** One bar: its axis label, its exact value (drawn to scale; never negative here) and its title (the exact figures). */
    public record Bar(String tick, BigDecimal value, String title) {
    }

    /** Bars to scale under {@code label} (the chart's accessible name and title); the first, last and every seventh labelled. */
    public static String bars(String label, List<Bar> bars) {
        BigDecimal max = bars.stream().map(Bar::value).reduce(BigDecimal.ZERO, BigDecimal::max);
        int plotH = HEIGHT - TOP - BOTTOM;
        int plotW = WIDTH - LEFT - 8;
        int n = Math.max(1, bars.size());
        int slot = Math.max(1, plotW / n);
        int bar = Math.min(48, Math.max(1, slot - Math.max(1, slot / 5)));
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"").append(esc(label)).append("\">");
        s.append("<title>").append(esc(label)).append("</title>");
        // axis and the top of the scale
        s.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP + plotH).append("\" x2=\"").append(WIDTH - 8)
                .append("\" y2=\"").append(TOP + plotH).append("\"/>");
        s.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(TOP + 8).append("\" text-anchor=\"end\">")
                .append(esc(compact(max))).append("</text>");
        s.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(TOP + plotH).append("\" text-anchor=\"end\">0</text>");
        for (int i = 0; i < bars.size(); i++) {
            Bar d = bars.get(i);
            int h = max.signum() == 0 ? 0 : d.value().max(BigDecimal.ZERO).multiply(BigDecimal.valueOf(plotH)).divide(max, 0, RoundingMode.HALF_UP)
                    .intValue();
            if (d.value().signum() > 0 && h == 0) {
                h = 1; // a bar with a value is never drawn as none
            }
            int x = LEFT + i * slot + (slot - bar) / 2;
            s.append("<rect class=\"bar\" x=\"").append(x).append("\" y=\"").append(TOP + plotH - h).append("\" width=\"").append(bar)
                    .append("\" height=\"").append(h).append("\"><title>").append(esc(d.title())).append("</title></rect>");
            // the first and last, and every seventh between them that is not too close to the last (labels would overlap)
            if (i == 0 || i == bars.size() - 1 || (bars.size() > 10 && i % 7 == 0 && bars.size() - 1 - i >= 3)) {
                s.append("<text class=\"tick\" x=\"").append(x + bar / 2).append("\" y=\"").append(HEIGHT - 6).append("\" text-anchor=\"middle\">")
                        .append(esc(d.tick())).append("</text>");
            }
        }
        return s.append("</svg>").toString();
    }

    /** 12,345,678 → 12.3M: the axis label only; the exact figures are in the bars' titles and the table. */
    static String compact(BigDecimal v) {
        BigDecimal abs = v.abs();
        String[] units = {"", "k", "M", "G", "T", "P"};
        int u = 0;
        while (abs.compareTo(BigDecimal.valueOf(1000)) >= 0 && u < units.length - 1) {
            abs = abs.divide(BigDecimal.valueOf(1000));
            u++;
        }
        return (v.signum() < 0 ? "-" : "") + abs.setScale(abs.compareTo(BigDecimal.TEN) < 0 && u > 0 ? 1 : 0, RoundingMode.HALF_UP)
                .stripTrailingZeros().toPlainString() + units[u];
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
