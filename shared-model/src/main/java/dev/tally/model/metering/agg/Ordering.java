package dev.tally.model.metering.agg;

import java.math.BigDecimal;
import java.util.Comparator;

/**
 * Total orders that make merges commutative down to the representation: {@code 1.0} and {@code 1.00} are
 * numerically equal but not {@link BigDecimal#equals equal}, so ties are broken by scale.
 */
final class Ordering {
    private Ordering() {
    }

    /** Numeric order, then scale ascending; consistent with {@link BigDecimal#equals}. */
    static final Comparator<BigDecimal> DECIMAL = (a, b) -> {
        int c = a.compareTo(b);
        return c != 0 ? c : Integer.compare(a.scale(), b.scale());
    };

    /** The smaller under {@link #DECIMAL}; {@code null} means "none yet". */
    static BigDecimal min(BigDecimal a, BigDecimal b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return DECIMAL.compare(a, b) <= 0 ? a : b;
    }

    /** The larger under {@link #DECIMAL}; {@code null} means "none yet". */
    static BigDecimal max(BigDecimal a, BigDecimal b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return DECIMAL.compare(a, b) >= 0 ? a : b;
    }

    /** {@code other} cast to {@code type}, or an exception naming both aggregations. */
    static <T extends Accumulator> T sameKind(Accumulator self, Accumulator other, Class<T> type) {
        if (other == null) {
            throw new NullPointerException("cannot merge " + self.aggregation() + " with null");
        }
        if (!type.isInstance(other)) {
            throw new IllegalArgumentException("cannot merge " + self.aggregation() + " with " + other.aggregation());
        }
        return type.cast(other);
    }
}
