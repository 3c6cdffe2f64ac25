package dev.tally.model.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.BillingPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UsageProjectionTest {
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-10T00:00:00Z"));

    @Test
    void additiveMetersAreCarriedOnAtTheirRateAndOthersStayAsTheyAre() {
        // 6 of 30 days gone: ×5
        Instant now = Instant.parse("2026-11-07T00:00:00Z");
        Map<String, InvoiceGenerator.Usage> usage = Map.of("bytes", new InvoiceGenerator.Usage(new BigDecimal("2500.7"), 3, 4,
                Map.of(Map.of("region", "eu"), new BigDecimal("2000.5"), Map.of("region", "us"), new BigDecimal("500.2"))), "peak",
                new InvoiceGenerator.Usage(new BigDecimal("17"), 3, 4));
        Map<String, InvoiceGenerator.Usage> p = UsageProjection.project(usage, Set.of("bytes"), NOV, now).orElseThrow();
        assertThat(p.get("bytes").quantity()).isEqualByComparingTo("12503.5");
        assertThat(p.get("bytes").quantity().scale()).isEqualTo(1);
        assertThat(p.get("bytes").eventCount()).isEqualTo(15);
        assertThat(p.get("bytes").groups()).containsEntry(Map.of("region", "eu"), new BigDecimal("10002.5"))
                .containsEntry(Map.of("region", "us"), new BigDecimal("2501.0"));
        assertThat(p.get("peak")).isEqualTo(usage.get("peak"));
    }

    @Test
    void noProjectionInThePeriodsFirstDayAndThePeriodsOwnUsageAfterItsEnd() {
        Map<String, InvoiceGenerator.Usage> usage = Map.of("bytes", new InvoiceGenerator.Usage(new BigDecimal("10"), 1, 1));
        assertThat(UsageProjection.project(usage, Set.of("bytes"), NOV, Instant.parse("2026-11-01T23:59:59Z"))).isEmpty();
        assertThat(UsageProjection.project(usage, Set.of("bytes"), NOV, Instant.parse("2026-11-02T00:00:00Z")).orElseThrow().get("bytes")
                .quantity()).isEqualByComparingTo("300");
        assertThat(UsageProjection.project(usage, Set.of("bytes"), NOV, Instant.parse("2026-12-03T00:00:00Z")).orElseThrow().get("bytes")
                .quantity()).isEqualByComparingTo("10");
    }

    @Property
    void aProjectionIsNeverBelowTheUsageSoFarAndOffByLessThanHalfAUnitOfItsDecimals(@ForAll @LongRange(min = 0, max = 10_000_000) long cents,
            @ForAll @LongRange(min = 86_400, max = 2_592_000) long elapsed) {
        BigDecimal q = BigDecimal.valueOf(cents, 2);
        UsageProjection.Basis b = new UsageProjection.Basis(NOV.start().plusSeconds(elapsed), elapsed, 2_592_000);
        BigDecimal p = UsageProjection.scale(q, b);
        assertThat(p).isGreaterThanOrEqualTo(q);
        BigDecimal exact = q.multiply(BigDecimal.valueOf(2_592_000));
        BigDecimal back = p.multiply(BigDecimal.valueOf(elapsed));
        // |p − q×period/elapsed| ≤ 0.005
        assertThat(back.subtract(exact).abs()).isLessThanOrEqualTo(new BigDecimal("0.005").multiply(BigDecimal.valueOf(elapsed)));
    }
}
