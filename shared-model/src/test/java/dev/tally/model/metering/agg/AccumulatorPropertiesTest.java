package dev.tally.model.metering.agg;

import static dev.tally.model.metering.agg.Generators.empty;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Algebraic laws every accumulator must obey, and exactness against naive recomputation. */
class AccumulatorPropertiesTest {
    @Provide
    Arbitrary<List<Observation>> stream() {
        return Generators.streams(40);
    }

    @Property(tries = 500)
    void mergeIsCommutative(@ForAll Aggregation aggregation, @ForAll("stream") List<Observation> xs,
            @ForAll("stream") List<Observation> ys) {
        Accumulator a = empty(aggregation).addAll(xs);
        Accumulator b = empty(aggregation).addAll(ys);
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
    }

    @Property(tries = 500)
    void mergeIsAssociative(@ForAll Aggregation aggregation, @ForAll("stream") List<Observation> xs,
            @ForAll("stream") List<Observation> ys, @ForAll("stream") List<Observation> zs) {
        Accumulator a = empty(aggregation).addAll(xs);
        Accumulator b = empty(aggregation).addAll(ys);
        Accumulator c = empty(aggregation).addAll(zs);
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
    }

    @Property(tries = 500)
    void anySplitMergesBackToTheWholeStream(@ForAll Aggregation aggregation, @ForAll("stream") List<Observation> xs,
            @ForAll @IntRange(min = 0, max = 40) int cut) {
        int at = Math.min(cut, xs.size());
        Accumulator whole = fold(empty(aggregation), xs);
        Accumulator left = fold(empty(aggregation), xs.subList(0, at));
        Accumulator right = fold(empty(aggregation), xs.subList(at, xs.size()));
        assertThat(left.merge(right)).isEqualTo(whole);
        assertThat(right.merge(left)).isEqualTo(whole);
    }

    @Property(tries = 300)
    void arrivalOrderDoesNotMatter(@ForAll Aggregation aggregation, @ForAll("stream") List<Observation> xs, @ForAll Random random) {
        List<Observation> shuffled = new ArrayList<>(xs);
        Collections.shuffle(shuffled, random);
        assertThat(fold(empty(aggregation), shuffled)).isEqualTo(fold(empty(aggregation), xs));
    }

    @Property(tries = 300)
    void addAllEqualsAddingOneByOneAndEmptyIsNeutral(@ForAll Aggregation aggregation, @ForAll("stream") List<Observation> xs) {
        Accumulator batch = empty(aggregation).addAll(xs);
        assertThat(batch).isEqualTo(fold(empty(aggregation), xs));
        assertThat(batch.merge(empty(aggregation))).isEqualTo(batch);
        assertThat(empty(aggregation).merge(batch)).isEqualTo(batch);
    }

    @Property(tries = 1000)
    void exactAggregationsMatchNaiveRecomputation(@ForAll("stream") List<Observation> raw) {
        List<Observation> xs = Generators.distinctIds(raw);
        List<BigDecimal> values = xs.stream().map(Observation::value).filter(Objects::nonNull).toList();
        BigDecimal sum = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);

        Accumulator count = empty(Aggregation.COUNT).addAll(xs);
        assertThat(count.value()).isEqualByComparingTo(BigDecimal.valueOf(xs.size()));
        assertThat(count.count()).isEqualTo(xs.size());

        Accumulator total = empty(Aggregation.SUM).addAll(xs);
        assertThat(total.value()).isEqualByComparingTo(sum);
        assertThat(total.count()).isEqualTo(values.size());

        BigDecimal min = empty(Aggregation.MIN).addAll(xs).value();
        BigDecimal max = empty(Aggregation.MAX).addAll(xs).value();
        BigDecimal avg = empty(Aggregation.AVG).addAll(xs).value();
        BigDecimal latest = empty(Aggregation.LATEST).addAll(xs).value();
        if (values.isEmpty()) {
            assertThat(min).isNull();
            assertThat(max).isNull();
            assertThat(avg).isNull();
            assertThat(latest).isNull();
        } else {
            assertThat(min).isEqualByComparingTo(values.stream().min(BigDecimal::compareTo).orElseThrow());
            assertThat(max).isEqualByComparingTo(values.stream().max(BigDecimal::compareTo).orElseThrow());
            assertThat(avg).isEqualTo(sum.divide(BigDecimal.valueOf(values.size()), 12, RoundingMode.HALF_EVEN));
            Observation newest = null;
            for (Observation o : xs) {
                if (o.value() != null && (newest == null || o.timestamp().isAfter(newest.timestamp())
                        || (o.timestamp().equals(newest.timestamp()) && o.eventId().compareTo(newest.eventId()) > 0))) {
                    newest = o;
                }
            }
            assertThat(latest).isEqualTo(newest.value());
        }

        Accumulator unique = empty(Aggregation.UNIQUE_COUNT).addAll(xs);
        assertThat(unique.value()).isEqualByComparingTo(BigDecimal.valueOf(
                xs.stream().map(Observation::key).filter(Objects::nonNull).collect(Collectors.toSet()).size()));
        assertThat(unique.count()).isEqualTo(xs.stream().filter(o -> o.key() != null).count());
    }

    private static Accumulator fold(Accumulator start, List<Observation> xs) {
        Accumulator acc = start;
        for (Observation o : xs) {
            acc = acc.add(o);
        }
        return acc;
    }
}
