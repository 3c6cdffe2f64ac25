package dev.tally.model.metering.agg;

import static dev.tally.model.metering.agg.MeterFilter.equalTo;
import static dev.tally.model.metering.agg.MeterFilter.exists;
import static dev.tally.model.metering.agg.MeterFilter.in;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.MeterDefinition;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** Filters, group keys and grouped evaluation of a meter. */
class MeterFilterAndGroupKeyTest {
    private static final Instant T = Instant.parse("2026-11-05T10:00:00Z");
    private static final MeterDefinition BYTES = new MeterDefinition("bandwidth", "tunnel.bytes", Aggregation.SUM, "bytes");

    private static UsageEvent event(String id, Map<String, Object> properties) {
        return new UsageEvent(id, "tunnel.bytes", "cust", T, properties);
    }

    @Test
    void conditionsAreAnded() {
        UsageEvent eu = event("1", Map.of("region", "eu", "tier", new BigDecimal("2"), "bytes", "10"));
        assertThat(MeterFilter.ALL.test(eu)).isTrue();
        assertThat(MeterFilter.where(equalTo("region", "eu")).test(eu)).isTrue();
        assertThat(MeterFilter.where(equalTo("region", "eu")).and(exists("missing")).test(eu)).isFalse();
        assertThat(MeterFilter.where(in("region", "us", "eu"), equalTo("tier", "2")).test(eu)).isTrue();
        assertThat(MeterFilter.where(equalTo("tier", "2.0")).test(eu)).isFalse(); // exact text
        assertThat(MeterFilter.where(in("absent", "")).test(eu)).isFalse();
        assertThat(MeterFilter.where(exists("tier")).test(eu)).isTrue();
    }

    @Test
    void groupKeysFollowGroupByOrderAndMissingIsEmpty() {
        UsageEvent e = event("1", Map.of("region", "eu", "on", true));
        GroupKey key = GroupKey.of(e, List.of("region", "plan", "on"));
        assertThat(key.dimensions()).containsExactly(Map.entry("region", "eu"), Map.entry("plan", ""), Map.entry("on", "true"));
        assertThat(key).isEqualTo(new GroupKey(List.of("region", "plan", "on"), List.of("eu", "", "true")));
        assertThat(key).isNotEqualTo(new GroupKey(List.of("plan", "region", "on"), List.of("", "eu", "true")));
        assertThat(GroupKey.of(e, List.of())).isEqualTo(GroupKey.NONE);
        assertThatThrownBy(() -> new GroupKey(List.of("a", "a"), List.of("1", "2"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMeterEvaluatesPerGroupAndPartitionsMerge() {
        List<UsageEvent> p1 = List.of(
                event("1", Map.of("region", "eu", "bytes", "100")),
                event("2", Map.of("region", "us", "bytes", new BigDecimal("5"))),
                event("3", Map.of("region", "eu", "bytes", "1.5", "internal", true)),
                new UsageEvent("4", "other.type", "cust", T, Map.of("region", "eu", "bytes", "1000")));
        List<UsageEvent> p2 = List.of(
                event("5", Map.of("region", "eu", "bytes", "0.5")),
                event("6", Map.of("bytes", "7")),
                event("7", Map.of("region", "ap", "bytes", "x")));  // not a number: contributes nothing, no group
        MeterFilter external = MeterFilter.where(exists("bytes"));
        SortedMap<GroupKey, Accumulator> a = Accumulators.evaluate(BYTES, external, List.of("region"), Accumulators.sum(), p1);
        SortedMap<GroupKey, Accumulator> b = Accumulators.evaluate(BYTES, external, List.of("region"), Accumulators.sum(), p2);
        SortedMap<GroupKey, Accumulator> all = Accumulators.mergeGroups(a, b);
        assertThat(all.keySet()).extracting(k -> k.values().get(0)).containsExactly("", "eu", "us");
        assertThat(all.get(GroupKey.of(p1.get(0), List.of("region"))).value()).isEqualByComparingTo("102");
        assertThat(all.get(GroupKey.of(p1.get(0), List.of("region"))).count()).isEqualTo(3);
        assertThat(all.get(new GroupKey(List.of("region"), List.of(""))).value()).isEqualByComparingTo("7");
        assertThat(Accumulators.mergeGroups(b, a)).isEqualTo(all);
        List<UsageEvent> both = new ArrayList<>(p1);
        both.addAll(p2);
        assertThat(Accumulators.evaluate(BYTES, external, List.of("region"), Accumulators.sum(), both)).isEqualTo(all);
    }

    @Test
    void evaluationRefusesAnAccumulatorOfAnotherAggregation() {
        assertThatThrownBy(() -> Accumulators.evaluate(BYTES, MeterFilter.ALL, List.of(), Accumulators.count(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
