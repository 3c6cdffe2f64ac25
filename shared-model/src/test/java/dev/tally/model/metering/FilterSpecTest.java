package dev.tally.model.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.event.UsageEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterSpecTest {
    private static UsageEvent event(Map<String, Object> props) {
        return new UsageEvent("e1", "request", "acme", Instant.parse("2026-11-01T00:00:00Z"), props);
    }

    @Test
    void aFilteredMeterCountsOnlyMatchingEvents() {
        MeterDefinition m = new MeterDefinition("egress", "request", Aggregation.SUM, "bytes", FilterSpec.compile(List.of(
                new FilterSpec("direction", "equals", List.of("out")), new FilterSpec("region", "in", List.of("eu", "us")))));
        assertThat(m.contribution(event(Map.of("direction", "out", "region", "eu", "bytes", new BigDecimal("10")))))
                .isEqualByComparingTo("10");
        assertThat(m.contribution(event(Map.of("direction", "in", "region", "eu", "bytes", new BigDecimal("10"))))).isNull();
        assertThat(m.contribution(event(Map.of("direction", "out", "bytes", new BigDecimal("10"))))).isNull();
    }

    @Test
    void badConditionsNameTheirPath() {
        assertThatThrownBy(() -> FilterSpec.compile(List.of(new FilterSpec("a", "equals", List.of("x")), new FilterSpec("b", "like", List.of()))))
                .isInstanceOfSatisfying(FilterSpec.InvalidFilterException.class, e -> assertThat(e.field()).isEqualTo("filters[1].op"));
        assertThatThrownBy(() -> FilterSpec.compile(List.of(new FilterSpec("a", "equals", List.of("x", "y")))))
                .isInstanceOfSatisfying(FilterSpec.InvalidFilterException.class, e -> assertThat(e.field()).isEqualTo("filters[0].values"));
        assertThatThrownBy(() -> FilterSpec.compile(List.of(new FilterSpec("bad name", "exists", null))))
                .isInstanceOfSatisfying(FilterSpec.InvalidFilterException.class, e -> assertThat(e.field()).isEqualTo("filters[0].property"));
        assertThatThrownBy(() -> FilterSpec.groupBy(List.of("region", "region")))
                .isInstanceOfSatisfying(FilterSpec.InvalidFilterException.class, e -> assertThat(e.field()).isEqualTo("groupBy[1]"));
        assertThat(FilterSpec.groupBy(null)).isEmpty();
    }
}
