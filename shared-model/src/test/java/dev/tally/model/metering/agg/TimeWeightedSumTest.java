package dev.tally.model.metering.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.metering.BillingPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The gauge integral: worked examples, clipping at the period's edges, and a naive re-integration. */
class TimeWeightedSumTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final BillingPeriod HOUR = new BillingPeriod(T0, T0.plusSeconds(3600));

    private static Observation sample(String id, String at, String value) {
        return Observation.of(id, Instant.parse("2026-11-01T" + at + "Z"), new BigDecimal(value));
    }

    @Test
    void threeTunnelsForHalfAnHourThenFive() {
        TimeWeightedSumAccumulator acc = Accumulators.timeWeightedSum(HOUR)
                .add(sample("a", "00:00:00", "3"))
                .add(sample("b", "00:30:00", "5"));
        assertThat(acc.value()).isEqualTo(new BigDecimal("14400")); // 3·1800 + 5·1800 value·seconds
        assertThat(acc.valueHours()).isEqualByComparingTo("4");
        assertThat(acc.count()).isEqualTo(2);
    }

    @Test
    void theSameExampleSplitAcrossTwoPartitionsInEitherOrder() {
        TimeWeightedSumAccumulator late = Accumulators.timeWeightedSum(HOUR).add(sample("b", "00:30:00", "5"));
        TimeWeightedSumAccumulator early = Accumulators.timeWeightedSum(HOUR).add(sample("a", "00:00:00", "3"));
        assertThat(late.merge(early).value()).isEqualTo(new BigDecimal("14400"));
        assertThat(early.merge(late)).isEqualTo(late.merge(early));
    }

    @Test
    void beforeTheFirstSampleTheLevelIsZero() {
        TimeWeightedSumAccumulator acc = Accumulators.timeWeightedSum(HOUR).add(sample("a", "00:15:00", "4"));
        assertThat(acc.value()).isEqualTo(new BigDecimal("10800")); // 4·2700
    }

    @Test
    void aSampleBeforeThePeriodCarriesIntoItAndOneAtTheEndIsIgnored() {
        TimeWeightedSumAccumulator acc = Accumulators.timeWeightedSum(HOUR)
                .add(Observation.of("old", T0.minusSeconds(600), new BigDecimal("2")))
                .add(sample("b", "00:30:00", "6"))
                .add(Observation.of("late", HOUR.end(), new BigDecimal("100")));
        assertThat(acc.value()).isEqualTo(new BigDecimal("14400")); // 2·1800 + 6·1800
        assertThat(acc.count()).isEqualTo(2);
    }

    @Test
    void simultaneousSamplesResolveByTheLargerEventId() {
        TimeWeightedSumAccumulator ab = Accumulators.timeWeightedSum(HOUR)
                .add(sample("a", "00:00:00", "1")).add(sample("b", "00:00:00", "9"));
        TimeWeightedSumAccumulator ba = Accumulators.timeWeightedSum(HOUR)
                .add(sample("b", "00:00:00", "9")).add(sample("a", "00:00:00", "1"));
        assertThat(ab).isEqualTo(ba);
        assertThat(ab.value()).isEqualTo(new BigDecimal("32400")); // 9·3600
    }

    @Test
    void subSecondTimestampsIntegrateExactly() {
        TimeWeightedSumAccumulator acc = Accumulators.timeWeightedSum(HOUR)
                .add(Observation.of("a", T0, new BigDecimal("1.5")))
                .add(Observation.of("b", T0.plusNanos(1), BigDecimal.ZERO));
        assertThat(acc.value()).isEqualByComparingTo("0.0000000015");
    }

    @Test
    void emptyIsZeroAndPeriodsMustMatch() {
        assertThat(Accumulators.timeWeightedSum(HOUR).value()).isEqualByComparingTo("0");
        BillingPeriod other = new BillingPeriod(T0, T0.plusSeconds(7200));
        assertThatThrownBy(() -> Accumulators.timeWeightedSum(HOUR).merge(Accumulators.timeWeightedSum(other)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<List<Observation>> stream() {
        return Generators.streams(30);
    }

    @Property(tries = 500)
    void equalsANaiveIntegrationOverAllBreakpoints(@ForAll("stream") List<Observation> raw) {
        List<Observation> xs = Generators.distinctIds(raw);
        BillingPeriod day = Generators.DAY;
        TimeWeightedSumAccumulator acc = Accumulators.timeWeightedSum(day);
        acc = (TimeWeightedSumAccumulator) acc.addAll(xs);

        TreeSet<Instant> breakpoints = new TreeSet<>(List.of(day.start(), day.end()));
        xs.stream().map(Observation::timestamp).filter(day::contains).forEach(breakpoints::add);
        BigDecimal expected = BigDecimal.ZERO;
        List<Instant> points = new ArrayList<>(breakpoints);
        for (int i = 0; i + 1 < points.size(); i++) {
            Instant from = points.get(i);
            BigDecimal level = levelAt(xs, from);
            Duration d = Duration.between(from, points.get(i + 1));
            expected = expected.add(level.multiply(BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9))));
        }
        assertThat(acc.value()).isEqualByComparingTo(expected);
    }

    @Property(tries = 300)
    void splitMergeInvariant(@ForAll("stream") List<Observation> xs, @ForAll @IntRange(min = 0, max = 30) int cut) {
        int at = Math.min(cut, xs.size());
        Accumulator left = Accumulators.timeWeightedSum(Generators.DAY).addAll(xs.subList(0, at));
        Accumulator right = Accumulators.timeWeightedSum(Generators.DAY).addAll(xs.subList(at, xs.size()));
        Accumulator whole = Accumulators.timeWeightedSum(Generators.DAY).addAll(xs);
        assertThat(left.merge(right)).isEqualTo(whole);
        assertThat(right.merge(left).value()).isEqualTo(whole.value());
    }

    /** The value of the latest sample (time, then larger id) at or before t; 0 if none. */
    private static BigDecimal levelAt(List<Observation> xs, Instant t) {
        Observation best = null;
        for (Observation o : xs) {
            if (o.value() == null || o.timestamp().isAfter(t)) {
                continue;
            }
            if (best == null || o.timestamp().isAfter(best.timestamp())
                    || (o.timestamp().equals(best.timestamp()) && o.eventId().compareTo(best.eventId()) > 0)) {
                best = o;
            }
        }
        return best == null ? BigDecimal.ZERO : best.value();
    }
}
