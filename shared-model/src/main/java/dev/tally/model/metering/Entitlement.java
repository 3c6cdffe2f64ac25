package dev.tally.model.metering;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A limit on a meter's usage per billing period, and what it says about a quantity used: pure.
 *
 * @param limit   the limit in the meter's unit (positive)
 * @param hard    usage at or above the limit is blocked
 * @param alertAt percentages of the limit, ascending, each in [1, 100]
 */
public record Entitlement(BigDecimal limit, boolean hard, List<Integer> alertAt) {
    public static final List<Integer> DEFAULT_ALERTS = List.of(50, 80, 100);

    public Entitlement {
        if (limit == null || limit.signum() <= 0) {
            throw new IllegalArgumentException("limit must be positive");
        }
        alertAt = alertAt == null ? DEFAULT_ALERTS : alertAt.stream().distinct().sorted().toList();
        for (int p : alertAt) {
            if (p < 1 || p > 100) {
                throw new IllegalArgumentException("alert percentages must be 1-100, got " + p);
            }
        }
    }

    /** Left before the limit (never negative). */
    public BigDecimal remaining(BigDecimal used) {
        BigDecimal r = limit.subtract(used);
        return r.signum() < 0 ? BigDecimal.ZERO : r;
    }

    /** A hard limit that usage has reached. */
    public boolean blocked(BigDecimal used) {
        return hard && used.compareTo(limit) >= 0;
    }

    /** The usage at which {@code percent} % of the limit is reached (exact). */
    public BigDecimal bound(int percent) {
        return limit.multiply(BigDecimal.valueOf(percent)).movePointLeft(2);
    }

    /** The percentages crossed going from {@code before} to {@code after}: bound in (before, after]. Empty when usage fell. */
    public List<Integer> crossed(BigDecimal before, BigDecimal after) {
        List<Integer> out = new ArrayList<>();
        for (int p : alertAt) {
            BigDecimal b = bound(p);
            if (before.compareTo(b) < 0 && after.compareTo(b) >= 0) {
                out.add(p);
            }
        }
        return out;
    }

    /** The percentages reached at {@code used}. */
    public List<Integer> reached(BigDecimal used) {
        return alertAt.stream().filter(p -> used.compareTo(bound(p)) >= 0).toList();
    }
}
