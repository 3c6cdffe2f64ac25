package dev.tally.model.subscription;

import dev.tally.model.metering.BillingPeriod;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * How a subscription's time is cut into billing periods, in UTC. A period starts at midnight of the
 * anchor day: every month ({@code MONTHLY}) or every year in {@code anchorMonth} ({@code ANNUAL}). An
 * anchor day past a month's end falls on its last day (anchor 31 → 30 April, 28/29 February), and
 * the next period goes back to the anchor (31 May), so periods tile time with no gap or overlap.
 */
public record BillingCycle(Interval interval, int anchorDay, int anchorMonth) {
    public enum Interval { MONTHLY, ANNUAL }

    /** Calendar months: periods start on the 1st. */
    public static final BillingCycle CALENDAR_MONTH = new BillingCycle(Interval.MONTHLY, 1, 1);

    public BillingCycle {
        if (interval == null) {
            throw new InvalidSubscriptionException("interval", "is required (MONTHLY or ANNUAL)");
        }
        if (anchorDay < 1 || anchorDay > 31) {
            throw new InvalidSubscriptionException("anchorDay", "must be between 1 and 31, was " + anchorDay);
        }
        if (interval == Interval.ANNUAL && (anchorMonth < 1 || anchorMonth > 12)) {
            throw new InvalidSubscriptionException("anchorMonth", "must be between 1 and 12, was " + anchorMonth);
        }
        if (interval == Interval.MONTHLY) {
            anchorMonth = 1; // not used; one canonical form
        }
    }

    public static BillingCycle monthly(int anchorDay) {
        return new BillingCycle(Interval.MONTHLY, anchorDay, 1);
    }

    public static BillingCycle annual(int anchorMonth, int anchorDay) {
        return new BillingCycle(Interval.ANNUAL, anchorDay, anchorMonth);
    }

    /** The cycle anchored on the day (and, for annual, the month) of {@code start}. */
    public static BillingCycle anchoredAt(Interval interval, Instant start) {
        LocalDate d = start.atZone(ZoneOffset.UTC).toLocalDate();
        return new BillingCycle(interval, d.getDayOfMonth(), d.getMonthValue());
    }

    /** The period containing {@code instant}. */
    public BillingPeriod periodContaining(Instant instant) {
        ZonedDateTime at = instant.atZone(ZoneOffset.UTC);
        if (interval == Interval.MONTHLY) {
            YearMonth month = YearMonth.from(at);
            Instant start = anchorIn(month);
            if (start.isAfter(instant)) {
                month = month.minusMonths(1);
                start = anchorIn(month);
            }
            return new BillingPeriod(start, anchorIn(month.plusMonths(1)));
        }
        int year = at.getYear();
        Instant start = anchorIn(YearMonth.of(year, anchorMonth));
        if (start.isAfter(instant)) {
            year--;
            start = anchorIn(YearMonth.of(year, anchorMonth));
        }
        return new BillingPeriod(start, anchorIn(YearMonth.of(year + 1, anchorMonth)));
    }

    private Instant anchorIn(YearMonth month) {
        return month.atDay(Math.min(anchorDay, month.lengthOfMonth())).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
