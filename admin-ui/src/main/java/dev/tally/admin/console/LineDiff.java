package dev.tally.admin.console;

import io.quarkus.qute.TemplateData;

import java.util.ArrayList;
import java.util.List;

/** A line diff (longest common subsequence) of two plan documents as pretty-printed JSON: what changed between versions. */
public final class LineDiff {
    private LineDiff() {
    }

    /** One line: {@code kind} is {@code same}, {@code added} or {@code removed}. */
    @TemplateData
    public record Line(String kind, String text) {
    }

    public static List<Line> of(String before, String after) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<Line> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i].equals(b[j])) {
                out.add(new Line("same", a[i]));
                i++;
                j++;
            } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.add(new Line("removed", a[i++]));
            } else {
                out.add(new Line("added", b[j++]));
            }
        }
        while (i < a.length) {
            out.add(new Line("removed", a[i++]));
        }
        while (j < b.length) {
            out.add(new Line("added", b[j++]));
        }
        return out;
    }
}
