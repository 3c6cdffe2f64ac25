package dev.tally.model.tax;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.BillingPeriod;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The tax point picks the period's last instant or the finalization, whatever the two are. */
class TaxPointTest {
    @Property
    void periodEndIsThePeriodsLastInstantAndFinalizationIsWhenItHappens(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long start,
            @ForAll @LongRange(min = 1, max = 40_000_000L) long length, @ForAll @LongRange(min = -40_000_000L, max = 400_000_000L) long after) {
        BillingPeriod period = new BillingPeriod(Instant.ofEpochSecond(start), Instant.ofEpochSecond(start + length));
        Instant finalizedAt = period.end().plusSeconds(after);
        assertThat(TaxPoint.PERIOD_END.at(period, finalizedAt)).isEqualTo(period.end().minusNanos(1_000)).isBefore(period.end())
                .isAfterOrEqualTo(period.start());
        assertThat(TaxPoint.FINALIZATION.at(period, finalizedAt)).isEqualTo(finalizedAt);
        assertThat(TaxPoint.of("period_end")).isEqualTo(TaxPoint.PERIOD_END);
    }
}
