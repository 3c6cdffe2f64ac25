package dev.tally.model.metering;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** A half-open interval [start, end). The skeleton bills calendar months in UTC. */
public record BillingPeriod(Instant start, Instant end) {
    public BillingPeriod {
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("period start must be before end");
        }
    }

    public static BillingPeriod calendarMonthOf(Instant instant) {
        YearMonth month = YearMonth.from(instant.atZone(ZoneOffset.UTC));
        return new BillingPeriod(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(start) && instant.isBefore(end);
    }

    /**
     * The period's last instant that PostgreSQL (microsecond precision) can hold: {@code end} less one microsecond.
     * What is "in force at the end of the period" is what is in force here.
     */
    public Instant lastInstant() {
        return end.minusNanos(1_000);
    }
}
