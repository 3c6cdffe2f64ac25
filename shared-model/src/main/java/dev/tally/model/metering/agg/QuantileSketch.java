package dev.tally.model.metering.agg;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A mergeable quantile sketch in the style of DDSketch (Masson, Rim, Lee, VLDB 2019) with relative accuracy
 * α = 0.5 %: every reported quantile is within 0.5 % (relative) of the true nearest-rank quantile.
 *
 * <p>Buckets. With γ = (1 + α) / (1 − α) = 201/199, a magnitude |x| > 0 goes to bucket i = ⌈log_γ |x|⌉, which
 * covers (γ^(i−1), γ^i]. Positive values are counted in {@code positive}, negative values by magnitude in the
 * mirror store {@code negative}, and values equal to zero (any scale) in {@code zeroCount}, exactly. The bucket's
 * representative is 2γ^i / (γ + 1) = 0.995·γ^i, within α of every value in the bucket. {@code min} and {@code max}
 * are kept exactly.
 *
 * <p>Quantile. For p in (0, 100] and n values, the nearest rank is k = ⌈p·n/100⌉. Walking buckets in value
 * order (negative store from the largest magnitude down, zeros, positive store upward) finds the bucket holding
 * the k-th smallest value; the answer is its representative (negated for the mirror store) clamped to
 * [min, max], exactly 0 when the rank falls on a zero, exactly {@code min} for k = 1 and exactly {@code max}
 * for k = n.
 *
 * <p>Floating point. This is the one place where the package uses {@code double}: the bucket index is
 * {@code ceil(Math.log(|x|) / Math.log1p(2/199))} (for magnitudes outside 1e±300, the log is taken of the
 * decimal mantissa plus exponent·ln 10). A value within about 1e-15 (relative) of a bucket boundary may land in
 * the neighbouring bucket, adding at most ~1e-13 to the relative error. Counts, min, max and the representative
 * (0.995·(201/199)^i computed in 40-digit decimal arithmetic and reported with at most 16 significant digits)
 * are decimal. Buckets are never collapsed: memory is one entry per occupied bucket, at most about 230 per decade
 * of dynamic range per sign (about 2 800 for values spanning 1e-3 to 1e9), independent of n.
 *
 * <p>Merge adds bucket counts and takes min of mins and max of maxes: associative and commutative, and a sketch
 * of a split stream equals the sketch of the whole stream.
 */
public record QuantileSketch(NavigableMap<Integer, Long> positive, NavigableMap<Integer, Long> negative, long zeroCount,
        BigDecimal min, BigDecimal max) {
    /** α: the guaranteed relative accuracy of reported quantiles (plus the floating-point slack above). */
    public static final BigDecimal RELATIVE_ACCURACY = new BigDecimal("0.005");
    public static final QuantileSketch EMPTY = new QuantileSketch(new TreeMap<>(), new TreeMap<>(), 0, null, null);

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final MathContext WORK = new MathContext(40, RoundingMode.HALF_EVEN);
    private static final MathContext REPORTED = new MathContext(16, RoundingMode.HALF_EVEN);
    private static final BigDecimal GAMMA = BigDecimal.valueOf(201).divide(BigDecimal.valueOf(199), WORK);
    private static final BigDecimal ONE_MINUS_ALPHA = BigDecimal.ONE.subtract(RELATIVE_ACCURACY);
    // Floating point, bucket indexing only (see the type's javadoc).
    private static final double LN_GAMMA = Math.log1p(2.0 / 199.0);
    private static final double LN_10 = Math.log(10);

    public QuantileSketch {
        positive = Collections.unmodifiableNavigableMap(checked(positive));
        negative = Collections.unmodifiableNavigableMap(checked(negative));
        if (zeroCount < 0) {
            throw new IllegalArgumentException("zeroCount must not be negative");
        }
        boolean empty = zeroCount == 0 && positive.isEmpty() && negative.isEmpty();
        if (empty != (min == null) || empty != (max == null)) {
            throw new IllegalArgumentException("min and max are absent exactly when the sketch is empty");
        }
        if (!empty && min.compareTo(max) > 0) {
            throw new IllegalArgumentException("min must not exceed max");
        }
    }

    /** This sketch with {@code value} counted. */
    public QuantileSketch add(BigDecimal value) {
        Builder b = new Builder(this);
        b.add(value);
        return b.build();
    }

    /** This sketch with all of {@code values} counted (one copy of the buckets). */
    public QuantileSketch addAll(Iterable<BigDecimal> values) {
        Builder b = new Builder(this);
        for (BigDecimal v : values) {
            b.add(v);
        }
        return b.build();
    }

    /** The sketch of both streams. */
    public QuantileSketch merge(QuantileSketch other) {
        Builder b = new Builder(this);
        b.absorb(other);
        return b.build();
    }

    /** How many values were counted. */
    public long count() {
        long n = zeroCount;
        for (long c : positive.values()) {
            n = Math.addExact(n, c);
        }
        for (long c : negative.values()) {
            n = Math.addExact(n, c);
        }
        return n;
    }

    /** Occupied buckets (the memory cost), zero counter not included. */
    public int bucketCount() {
        return positive.size() + negative.size();
    }

    /**
     * The nearest-rank p-th percentile, within {@link #RELATIVE_ACCURACY} (relative) of the exact one;
     * {@code null} when empty.
     *
     * @param p in (0, 100]
     */
    public BigDecimal quantile(BigDecimal p) {
        checkPercentile(p);
        long n = count();
        if (n == 0) {
            return null;
        }
        long rank = p.multiply(BigDecimal.valueOf(n)).divide(HUNDRED).setScale(0, RoundingMode.CEILING).longValueExact();
        if (rank <= 1) {
            return min;
        }
        if (rank >= n) {
            return max;
        }
        long seen = 0;
        for (Map.Entry<Integer, Long> e : negative.descendingMap().entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return clamp(representative(e.getKey()).negate());
            }
        }
        seen += zeroCount;
        if (seen >= rank) {
            return BigDecimal.ZERO;
        }
        for (Map.Entry<Integer, Long> e : positive.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return clamp(representative(e.getKey()));
            }
        }
        return max;
    }

    /** Throws unless 0 &lt; p ≤ 100. */
    public static void checkPercentile(BigDecimal p) {
        Objects.requireNonNull(p, "percentile");
        if (p.signum() <= 0 || p.compareTo(HUNDRED) > 0) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
    }

    /** The bucket of a magnitude > 0: ⌈log_γ magnitude⌉ (floating point, see the type's javadoc). */
    static int bucketIndex(BigDecimal magnitude) {
        double index = Math.ceil(ln(magnitude) / LN_GAMMA);
        if (!(Math.abs(index) < Integer.MAX_VALUE)) {
            throw new ArithmeticException("magnitude out of the sketch's range: " + magnitude);
        }
        return (int) index;
    }

    /** 0.995·γ^i, the value of bucket i's range (γ^(i−1), γ^i] within α of all of it. */
    static BigDecimal representative(int index) {
        BigDecimal value = GAMMA.pow(index, WORK).multiply(ONE_MINUS_ALPHA, WORK).round(REPORTED).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    private static double ln(BigDecimal magnitude) {
        double d = magnitude.doubleValue();
        if (d > 1e-300 && d < 1e300) {
            return Math.log(d);
        }
        int exponent = magnitude.precision() - magnitude.scale() - 1; // magnitude = m·10^exponent, 1 ≤ m < 10
        return Math.log(magnitude.scaleByPowerOfTen(-exponent).doubleValue()) + exponent * LN_10;
    }

    private BigDecimal clamp(BigDecimal estimate) {
        if (estimate.compareTo(min) < 0) {
            return min;
        }
        return estimate.compareTo(max) > 0 ? max : estimate;
    }

    private static TreeMap<Integer, Long> checked(NavigableMap<Integer, Long> store) {
        TreeMap<Integer, Long> copy = new TreeMap<>(store);
        for (Map.Entry<Integer, Long> e : copy.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue() <= 0) {
                throw new IllegalArgumentException("bucket counts must be positive: " + e);
            }
        }
        return copy;
    }

    private static final class Builder {
        private final TreeMap<Integer, Long> positive;
        private final TreeMap<Integer, Long> negative;
        private long zeroCount;
        private BigDecimal min;
        private BigDecimal max;

        Builder(QuantileSketch from) {
            positive = new TreeMap<>(from.positive);
            negative = new TreeMap<>(from.negative);
            zeroCount = from.zeroCount;
            min = from.min;
            max = from.max;
        }

        void add(BigDecimal value) {
            Objects.requireNonNull(value, "value");
            switch (value.signum()) {
                case 0 -> zeroCount = Math.addExact(zeroCount, 1);
                case 1 -> positive.merge(bucketIndex(value), 1L, Math::addExact);
                default -> negative.merge(bucketIndex(value.negate()), 1L, Math::addExact);
            }
            min = Ordering.min(min, value);
            max = Ordering.max(max, value);
        }

        void absorb(QuantileSketch other) {
            other.positive.forEach((i, c) -> positive.merge(i, c, Math::addExact));
            other.negative.forEach((i, c) -> negative.merge(i, c, Math::addExact));
            zeroCount = Math.addExact(zeroCount, other.zeroCount);
            min = Ordering.min(min, other.min);
            max = Ordering.max(max, other.max);
        }

        QuantileSketch build() {
            return new QuantileSketch(positive, negative, zeroCount, min, max);
        }
    }
}
