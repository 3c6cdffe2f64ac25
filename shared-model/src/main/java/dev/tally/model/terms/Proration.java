package dev.tally.model.terms;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.Decimals;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * A fixed fee charged for part of a period, by seconds: {@code fee × active seconds / period
 * seconds}, rounded once. Seconds, not days, so a mid-day upgrade is charged for what was used.
 */
public final class Proration {
    private Proration() {
    }

    /** A prorated fixed fee and its explanation. */
    public record Prorated(Money amount, long activeSeconds, long periodSeconds, String explanation) {
    }

    public static Prorated fixedFee(Money fee, BillingPeriod period, Instant activeFrom, Instant activeUntil, RoundingPolicy rounding) {
        Instant from = activeFrom.isAfter(period.start()) ? activeFrom : period.start();
        Instant until = activeUntil == null || activeUntil.isAfter(period.end()) ? period.end() : activeUntil;
        long active = Math.max(0, Duration.between(from, until).getSeconds());
        long total = Duration.between(period.start(), period.end()).getSeconds();
        Money amount = rounding.toMoney(fee.amount().multiply(BigDecimal.valueOf(active)), BigDecimal.valueOf(total), fee.currency());
        String text = active == total
                ? "fixed fee " + fee + " for the whole period"
                : "fixed fee " + fee + " × " + active + " s / " + total + " s = " + fee.currency() + " "
                        + Decimals.plain(amount.amount()) + " (prorated by seconds, rounded once)";
        return new Prorated(amount, active, total, text);
    }
}
