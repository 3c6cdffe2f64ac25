package dev.tally.model.metering.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Edge cases: empty accumulators, ties, duplicates, negatives, mismatched merges. */
class AccumulatorExamplesTest {
    private static final Instant T = Instant.parse("2026-11-05T10:00:00Z");

    private static Observation v(String id, String value) {
        return Observation.of(id, T, new BigDecimal(value));
    }

    @Test
    void emptyAccumulatorsReportZeroOrNothing() {
        for (Aggregation a : Aggregation.values()) {
            Accumulator empty = Generators.empty(a);
            assertThat(empty.count()).as(a.name()).isZero();
            assertThat(empty.isEmpty()).isTrue();
            switch (a) {
                case COUNT, SUM, UNIQUE_COUNT, TIME_WEIGHTED_SUM -> assertThat(empty.value()).as(a.name()).isEqualByComparingTo("0");
                case MIN, MAX, AVG, LATEST, PERCENTILE -> assertThat(empty.value()).as(a.name()).isNull();
            }
            assertThat(empty.aggregation()).isEqualTo(a);
        }
    }

    @Test
    void observationsWithoutAValueAreIgnoredExceptByCount() {
        Observation bare = Observation.of("x", T, null);
        assertThat(Accumulators.count().add(bare).count()).isEqualTo(1);
        for (Aggregation a : Aggregation.values()) {
            if (a != Aggregation.COUNT) {
                assertThat(Generators.empty(a).add(bare)).as(a.name()).isEqualTo(Generators.empty(a));
            }
        }
    }

    @Test
    void latestBreaksTimestampTiesByTheLargerEventId() {
        LatestAccumulator ab = Accumulators.latest().add(v("evt-a", "1")).add(v("evt-b", "2"));
        LatestAccumulator ba = Accumulators.latest().add(v("evt-b", "2")).add(v("evt-a", "1"));
        assertThat(ab.value()).isEqualByComparingTo("2");
        assertThat(ab).isEqualTo(ba);
        LatestAccumulator later = Accumulators.latest().add(Observation.of("evt-0", T.plusNanos(1), new BigDecimal("7")));
        assertThat(ab.merge(later).value()).isEqualByComparingTo("7");
        assertThat(later.merge(ab).value()).isEqualByComparingTo("7");
    }

    @Test
    void duplicateUniqueKeysCountOnce() {
        UniqueCountAccumulator u = Accumulators.uniqueCount()
                .add(Observation.keyed("1", T, "alice")).add(Observation.keyed("2", T, "bob"))
                .add(Observation.keyed("3", T, "alice")).add(Observation.keyed("4", T, null));
        assertThat(u.value()).isEqualByComparingTo("2");
        assertThat(u.count()).isEqualTo(3);
        assertThat(u.merge(Accumulators.uniqueCount().add(Observation.keyed("5", T, "bob"))).value()).isEqualByComparingTo("2");
        assertThat(u.contains("alice")).isTrue();
    }

    @Test
    void uniqueKeysAreExactText() {
        UsageEvent one = new UsageEvent("1", "t", "c", T, Map.of("n", new BigDecimal("1")));
        UsageEvent onePointZero = new UsageEvent("2", "t", "c", T, Map.of("n", new BigDecimal("1.0")));
        UsageEvent string = new UsageEvent("3", "t", "c", T, Map.of("n", "1.0"));
        Accumulator u = Accumulators.uniqueCount().add(Observation.of(one, "n")).add(Observation.of(onePointZero, "n"))
                .add(Observation.of(string, "n"));
        assertThat(u.value()).isEqualByComparingTo("2"); // "1" and "1.0"
    }

    @Test
    void negativeValuesInMinMaxAndPercentile() {
        Accumulator min = Accumulators.min().add(v("a", "-3.5")).add(v("b", "0")).add(v("c", "-10"));
        Accumulator max = Accumulators.max().add(v("a", "-3.5")).add(v("c", "-10"));
        assertThat(min.value()).isEqualByComparingTo("-10");
        assertThat(max.value()).isEqualByComparingTo("-3.5");
        PercentileAccumulator p50 = Accumulators.percentile(50);
        for (int i = 1; i <= 100; i++) {
            p50 = p50.add(v("e" + i, "-" + i));
        }
        // nearest rank 50 of -100..-1 is -51
        assertThat(p50.value().subtract(new BigDecimal("-51")).abs()).isLessThanOrEqualTo(new BigDecimal("0.51"));
        assertThat(p50.quantile(new BigDecimal("100"))).isEqualByComparingTo("-1");
        assertThat(p50.quantile(new BigDecimal("1"))).isEqualByComparingTo("-100");
    }

    @Test
    void minAndMaxPickOneRepresentationOfEqualValues() {
        MinAccumulator a = Accumulators.min().add(v("a", "1.0"));
        MinAccumulator b = Accumulators.min().add(v("b", "1.00"));
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
        assertThat(a.merge(b).value()).isEqualTo(new BigDecimal("1.0"));
        MaxAccumulator c = Accumulators.max().add(v("a", "1.0"));
        MaxAccumulator d = Accumulators.max().add(v("b", "1.00"));
        assertThat(c.merge(d)).isEqualTo(d.merge(c));
    }

    @Test
    void averageIsExactUntilOneDivisionAtTwelveDigits() {
        AvgAccumulator avg = Accumulators.avg().add(v("a", "1")).add(v("b", "0")).add(v("c", "0"));
        assertThat(avg.value()).isEqualTo(new BigDecimal("0.333333333333"));
        AvgAccumulator twoThirds = Accumulators.avg().add(v("d", "1")).add(v("e", "1")).add(v("f", "0"));
        assertThat(avg.merge(twoThirds).value()).isEqualTo(new BigDecimal("0.500000000000"));
        assertThat(avg.merge(twoThirds).sum()).isEqualByComparingTo("3");
    }

    @Test
    void percentileOfZerosIsExactlyZero() {
        PercentileAccumulator p = Accumulators.percentile(99);
        for (int i = 0; i < 10; i++) {
            p = p.add(v("z" + i, "0.000"));
        }
        assertThat(p.value().signum()).isZero();
        p = p.add(v("big", "5"));
        assertThat(p.quantile(new BigDecimal("50")).signum()).isZero();
        assertThat(p.quantile(new BigDecimal("100"))).isEqualByComparingTo("5");
    }

    @Test
    void sketchHandlesMagnitudesBeyondDouble() {
        QuantileSketch s = QuantileSketch.EMPTY.add(new BigDecimal("1E-400")).add(new BigDecimal("2E-400"))
                .add(new BigDecimal("3E+400")).add(new BigDecimal("4E+400"));
        BigDecimal p50 = s.quantile(new BigDecimal("50"));
        assertThat(p50.subtract(new BigDecimal("2E-400")).abs())
                .isLessThanOrEqualTo(new BigDecimal("2E-400").multiply(QuantileSketch.RELATIVE_ACCURACY));
        BigDecimal p75 = s.quantile(new BigDecimal("75"));
        assertThat(p75.subtract(new BigDecimal("3E+400")).abs())
                .isLessThanOrEqualTo(new BigDecimal("3E+400").multiply(QuantileSketch.RELATIVE_ACCURACY));
    }

    @Test
    void sketchMemoryFollowsTheDynamicRangeNotTheCount() {
        QuantileSketch s = QuantileSketch.EMPTY;
        List<BigDecimal> values = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            values.add(BigDecimal.valueOf(1 + (i * 7919L) % 1_000_000)); // 1 .. 1e6: six decades
        }
        s = s.addAll(values);
        assertThat(s.count()).isEqualTo(50_000);
        assertThat(s.bucketCount()).isLessThanOrEqualTo(6 * 230 + 2);
    }

    @Test
    void percentileParameterIsValidatedAndNormalized() {
        assertThatThrownBy(() -> Accumulators.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Accumulators.percentile(101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Accumulators.empty(Aggregation.PERCENTILE, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Accumulators.empty(Aggregation.PERCENTILE, null, new BigDecimal("95.0"))).isEqualTo(Accumulators.percentile(95));
        assertThat(Accumulators.percentile(100).percentile()).isEqualTo(new BigDecimal("100"));
    }

    @Test
    void mergingDifferentKindsOrParametersThrows() {
        assertThatThrownBy(() -> Accumulators.sum().merge(Accumulators.count())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Accumulators.percentile(95).merge(Accumulators.percentile(99))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Accumulators.empty(Aggregation.TIME_WEIGHTED_SUM, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Accumulators.empty(Aggregation.SUM, null, BigDecimal.TEN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void observationFromAnEventUsesExactDecimalsAndNumericStrings() {
        UsageEvent e = new UsageEvent("id-1", "api.call", "cust", T, Map.of("ms", "12.50", "ok", true));
        Observation o = Observation.of(e, "ms");
        assertThat(o.value()).isEqualTo(new BigDecimal("12.50"));
        assertThat(o.key()).isEqualTo("12.50");
        assertThat(Observation.of(e, "ok").value()).isNull();
        assertThat(Observation.of(e, "ok").key()).isEqualTo("true");
        assertThat(Observation.of(e, null)).isEqualTo(new Observation("id-1", T, null, null));
    }
}
