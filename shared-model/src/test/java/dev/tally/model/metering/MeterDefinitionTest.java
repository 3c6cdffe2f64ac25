package dev.tally.model.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.event.UsageEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rating service's per-event deltas: unchanged for COUNT and SUM, refused for non-additive aggregations. */
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
            MeterDefinition meter = new MeterDefinition("k", "tunnel.bytes", a, "bytes");
            assertThatThrownBy(() -> meter.contribution(EVENT)).as(a.name()).isInstanceOf(UnsupportedOperationException.class);
            assertThat(new MeterDefinition("k", "other", a, "bytes").contribution(EVENT)).isNull();
        }
    }
}
