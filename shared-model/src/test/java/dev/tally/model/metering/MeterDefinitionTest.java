package dev.tally.model.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.agg.Observation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rating service's per-event deltas (COUNT and SUM; refused for non-additive aggregations), observations and
 * quantities.
 */
class MeterDefinitionTest {
    private static final UsageEvent EVENT = new UsageEvent("e1", "tunnel.bytes", "c", Instant.parse("2026-11-05T10:00:00Z"),
            Map.of("bytes", "1024", "exact", new BigDecimal("0.50")));

    @Test
    void countAndSumContributionsAreUnchanged() {
        assertThat(new MeterDefinition("n", "tunnel.bytes", Aggregation.COUNT, null).contribution(EVENT)).isEqualTo(BigDecimal.ONE);
        assertThat(new MeterDefinition("b", "tunnel.bytes", Aggregation.SUM, "bytes").contribution(EVENT)).isEqualTo(new BigDecimal("1024"));
        assertThat(new MeterDefinition("x", "tunnel.bytes", Aggregation.SUM, "exact").contribution(EVENT)).isEqualTo(new BigDecimal("0.50"));
        assertThat(new MeterDefinition("m", "tunnel.bytes", Aggregation.SUM, "missing").contribution(EVENT)).isNull();
        assertThat(new MeterDefinition("o", "other", Aggregation.COUNT, null).contribution(EVENT)).isNull();
        assertThatThrownBy(() -> new MeterDefinition("s", "t", Aggregation.SUM, " ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nonAdditiveAggregationsHaveNoPerEventDelta() {
        for (Aggregation a : Aggregation.values()) {
            if (a == Aggregation.COUNT || a == Aggregation.SUM) {
                continue;
            }
            BigDecimal p = a == Aggregation.PERCENTILE ? BigDecimal.valueOf(95) : null;
            MeterDefinition meter = new MeterDefinition("k", "tunnel.bytes", a, "bytes", null, null, p);
            assertThatThrownBy(() -> meter.contribution(EVENT)).as(a.name()).isInstanceOf(UnsupportedOperationException.class);
            assertThat(new MeterDefinition("k", "other", a, "bytes", null, null, p).contribution(EVENT)).isNull();
            assertThat(a.additive()).isFalse();
            // every non-COUNT aggregation reads a property
            assertThatThrownBy(() -> new MeterDefinition("k", "t", a, null, null, null, p)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void onlyAPercentileMeterTakesAPercentileInRange() {
        assertThatThrownBy(() -> new MeterDefinition("k", "t", Aggregation.PERCENTILE, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MeterDefinition("k", "t", Aggregation.PERCENTILE, "v", null, null, BigDecimal.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MeterDefinition("k", "t", Aggregation.PERCENTILE, "v", null, null, new BigDecimal("100.1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MeterDefinition("k", "t", Aggregation.MAX, "v", null, null, BigDecimal.TEN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new MeterDefinition("k", "t", Aggregation.PERCENTILE, "v", null, null, BigDecimal.valueOf(100)).percentile())
                .isEqualByComparingTo("100");
    }

    @Test
    void observationsAndQuantitiesFollowTheAggregation() {
        BillingPeriod hour = new BillingPeriod(Instant.parse("2026-11-05T10:00:00Z"), Instant.parse("2026-11-05T11:00:00Z"));
        MeterDefinition max = new MeterDefinition("k", "tunnel.bytes", Aggregation.MAX, "bytes");
        assertThat(max.observation(EVENT).value()).isEqualByComparingTo("1024");
        assertThat(max.observation(EVENT).key()).isNull();
        assertThat(new MeterDefinition("k", "tunnel.bytes", Aggregation.MAX, "missing").observation(EVENT)).isNull();
        assertThat(new MeterDefinition("k", "other", Aggregation.MAX, "bytes").observation(EVENT)).isNull();
        MeterDefinition unique = new MeterDefinition("k", "tunnel.bytes", Aggregation.UNIQUE_COUNT, "bytes");
        assertThat(unique.observation(EVENT).key()).isEqualTo("1024");
        assertThat(unique.observation(EVENT).value()).isNull();
        // no value → 0; a time-weighted sum in value·hours: 3 for the whole hour = 3 value·hours
        assertThat(max.quantity(max.empty(hour))).isEqualByComparingTo("0");
        MeterDefinition gauge = new MeterDefinition("g", "tunnel.bytes", Aggregation.TIME_WEIGHTED_SUM, "bytes");
        var acc = gauge.empty(hour).add(Observation.of("e", hour.start(), BigDecimal.valueOf(3)));
        assertThat(acc.value()).isEqualByComparingTo("10800");
        assertThat(gauge.quantity(acc)).isEqualByComparingTo("3");
        assertThatThrownBy(() -> max.quantity(gauge.empty(hour))).isInstanceOf(IllegalArgumentException.class);
    }
}
