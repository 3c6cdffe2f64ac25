package dev.tally.admin.portal;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A price step as the customer reads it. The pricing functions (shared-model {@code pricing}) write each step for an
 * engineer — {@code "tier 2 (1000–10000): 9000 × USD 0.05 = USD 450"}; the portal says the same in plain words and in
 * the customer's locale — {@code "from 1,000 to 10,000: 9,000 × $0.05 = $450.00"}, a free tier as
 * {@code "first 1,000 free"}. Only words and number formats change: every figure is the step's own, written by
 * {@link PortalFormat} without rounding. A step this class does not recognise keeps its words, with its amounts and
 * numbers localized ({@code PlainStepsTest} runs every price model's steps through it).
 */
final class PlainSteps {
    private static final String NUM = "(\\d+(?:\\.\\d+)?)";
    /** A tier's label and what follows it: graduated slices, their flat fees, and the tier a volume price reached, after any label of its own (a matrix cell, an indent). */
    private static final Pattern TIER = Pattern.compile("^(.*?)tier \\d+ \\((?:" + NUM + "–" + NUM + "|above " + NUM + ")\\)( flat fee| reached)?: (.*)$");
    /** A volume price's flat fee (its label has no range). */
    private static final Pattern VOLUME_FEE = Pattern.compile("^(.*?)tier \\d+ flat fee: (.*)$");
    /** A slice priced at zero: {@code 1000 × USD 0 = USD 0}. */
    private static final Pattern FREE = Pattern.compile("^" + NUM + " × ([A-Z]{3}) 0(?:\\.0+)? = \\2 0(?:\\.0+)?$");
    /** An amount ({@code USD 0.05}) or a bare number; dates, times and identifiers are left alone. */
    private static final Pattern FIGURE = Pattern.compile("\\b([A-Z]{3}) (\\d+(?:\\.\\d+)?)|(?<![\\w.\\-:/])(\\d+(?:\\.\\d+)?)(?![\\w.\\-:/])");

    private PlainSteps() {
    }

    static String plain(String step, PortalFormat fmt) {
        Matcher t = TIER.matcher(step);
        if (t.matches()) {
            String range = t.group(4) != null ? "above " + fmt.number(t.group(4))
                    : new BigDecimal(t.group(2)).signum() == 0 ? "first " + fmt.number(t.group(3))
                    : "from " + fmt.number(t.group(2)) + " to " + fmt.number(t.group(3));
            String rest = t.group(6);
            if (" flat fee".equals(t.group(5))) {
                return t.group(1) + range + ", flat fee: " + figures(rest, fmt);
            }
            if (" reached".equals(t.group(5))) {
                return t.group(1) + range + " reached: " + figures(rest, fmt);
            }
            Matcher free = FREE.matcher(rest);
            if (free.matches()) {
                return t.group(1) + range + " free" + (range.startsWith("first") ? "" : " (" + fmt.number(free.group(1)) + ")");
            }
            return t.group(1) + range + ": " + figures(rest, fmt);
        }
        Matcher fee = VOLUME_FEE.matcher(step);
        if (fee.matches()) {
            return fee.group(1) + "flat fee of the tier reached: " + figures(fee.group(2), fmt);
        }
        return figures(step, fmt);
    }

    /** Every amount and number in {@code text} written in the customer's locale. */
    static String figures(String text, PortalFormat fmt) {
        Matcher m = FIGURE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String written = m.group(1) != null ? fmt.money(m.group(2), m.group(1)) : fmt.number(m.group(3));
            m.appendReplacement(out, Matcher.quoteReplacement(written));
        }
        m.appendTail(out);
        return out.toString();
    }
}
