package dev.tally.model.metering.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The sketch's accuracy guarantee against the exact nearest-rank quantile, and its merge laws. */
class PercentileSketchPropertiesTest {
    private static final BigDecimal ONE_PERCENT = new BigDecimal("0.01");

    /** Positive values spanning 1e-9 .. 1e12, any scale from 0 to 9 digits. */
    @Provide
    Arbitrary<List<BigDecimal>> positives() {
        return Combinators.combine(Arbitraries.longs().between(1, 1_000_000_000_000L), Arbitraries.integers().between(0, 9))
                .as(BigDecimal::valueOf).list().ofMinSize(1).ofMaxSize(300);
    }

    /** Mixed signs with plenty of exact zeros (0, 0.0, 0.00). */
    @Provide
    Arbitrary<List<BigDecimal>> mixed() {
        Arbitrary<BigDecimal> nonZero = Combinators.combine(
                Arbitraries.longs().between(-1_000_000_000L, 1_000_000_000L).filter(v -> v != 0), Arbitraries.integers().between(0, 4))
                .as(BigDecimal::valueOf);
        Arbitrary<BigDecimal> zero = Arbitraries.integers().between(0, 2).map(s -> BigDecimal.ZERO.setScale(s));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, nonZero), net.jqwik.api.Tuple.of(1, zero))
                .list().ofMinSize(1).ofMaxSize(200);
    }

    /** p50/p95/p99/p100 and any p in (0, 100] with up to 3 fractional digits. */
    @Provide
    Arbitrary<BigDecimal> percentiles() {
        return Arbitraries.oneOf(
                Arbitraries.of(new BigDecimal("50"), new BigDecimal("95"), new BigDecimal("99"), new BigDecimal("99.9"), new BigDecimal("100")),
                Arbitraries.bigDecimals().between(new BigDecimal("0.001"), new BigDecimal("100")).ofScale(3));
    }

    @Property(tries = 600)
    void positiveQuantilesAreWithinOnePercentOfNearestRank(@ForAll("positives") List<BigDecimal> values,
            @ForAll("percentiles") BigDecimal p) {
        QuantileSketch sketch = QuantileSketch.EMPTY.addAll(values);
        BigDecimal exact = nearestRank(values, p);
        BigDecimal reported = sketch.quantile(p);
        assertThat(relativeError(reported, exact)).isLessThanOrEqualTo(ONE_PERCENT);
        // the documented guarantee is α = 0.5 % (plus ~1e-13 of floating-point indexing slack)
        assertThat(relativeError(reported, exact)).isLessThanOrEqualTo(new BigDecimal("0.0050001"));
    }

    @Property(tries = 600)
    void zerosAreExactAndSignedValuesWithinOnePercent(@ForAll("mixed") List<BigDecimal> values, @ForAll("percentiles") BigDecimal p) {
        BigDecimal exact = nearestRank(values, p);
        BigDecimal reported = QuantileSketch.EMPTY.addAll(values).quantile(p);
        if (exact.signum() == 0) {
            assertThat(reported.signum()).isZero();
        } else {
            assertThat(reported.signum()).isEqualTo(exact.signum());
            assertThat(relativeError(reported, exact)).isLessThanOrEqualTo(ONE_PERCENT);
        }
    }

    @Property(tries = 300)
    void splitSketchesMergeToTheWholeSketch(@ForAll("mixed") List<BigDecimal> values, @ForAll @IntRange(min = 0, max = 200) int cut) {
        int at = Math.min(cut, values.size());
        QuantileSketch left = QuantileSketch.EMPTY.addAll(values.subList(0, at));
        QuantileSketch right = QuantileSketch.EMPTY.addAll(values.subList(at, values.size()));
        QuantileSketch whole = QuantileSketch.EMPTY.addAll(values);
        assertThat(left.merge(right)).isEqualTo(whole);
        assertThat(right.merge(left)).isEqualTo(whole);
        assertThat(whole.count()).isEqualTo(values.size());
    }

    @Property(tries = 200)
    void extremesAreExact(@ForAll("mixed") List<BigDecimal> values) {
        QuantileSketch sketch = QuantileSketch.EMPTY.addAll(values);
        assertThat(sketch.quantile(new BigDecimal("100"))).isEqualByComparingTo(values.stream().max(BigDecimal::compareTo).orElseThrow());
        assertThat(sketch.quantile(new BigDecimal("0.0001"))).isEqualByComparingTo(values.stream().min(BigDecimal::compareTo).orElseThrow());
    }

    /** The k-th smallest value, k = ⌈p·n/100⌉ (at least 1). */
    static BigDecimal nearestRank(List<BigDecimal> values, BigDecimal p) {
        List<BigDecimal> sorted = new ArrayList<>(values);
        sorted.sort(BigDecimal::compareTo);
        long k = p.multiply(BigDecimal.valueOf(sorted.size())).divide(BigDecimal.valueOf(100))
                .setScale(0, RoundingMode.CEILING).longValueExact();
        return sorted.get((int) Math.max(1, k) - 1);
    }

    static BigDecimal relativeError(BigDecimal reported, BigDecimal exact) {
        return reported.subtract(exact).abs().divide(exact.abs(), MathContext.DECIMAL64);
    }
}
