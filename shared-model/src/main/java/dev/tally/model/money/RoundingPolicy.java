package dev.tally.model.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * The single point where a high-scale amount becomes {@link Money}: one invoice line, rounded once
 * to the currency's minor unit. Totals are sums of already-rounded lines, so an invoice total always
 * equals the sum of what the customer sees.
 *
 * <p>Default mode is HALF_EVEN (banker's rounding): across many lines its rounding errors cancel
 * instead of drifting upward as HALF_UP's do. A tenant may choose HALF_UP where their contracts say so.
 */
public record RoundingPolicy(RoundingMode mode) {
    public static final RoundingPolicy DEFAULT = new RoundingPolicy(RoundingMode.HALF_EVEN);

    public RoundingPolicy {
        if (mode == RoundingMode.UNNECESSARY) {
            throw new IllegalArgumentException("UNNECESSARY is not a rounding policy");
        }
    }

    /**
     * {@code numerator / denominator} rounded once to the currency's minor unit — for prorations,
     * whose exact value may not terminate (1/3 of a month): dividing straight to the final scale
     * keeps it a single rounding.
     */
    public Money toMoney(BigDecimal numerator, BigDecimal denominator, String currencyCode) {
        Currency currency = Currencies.of(currencyCode);
        return Money.exact(numerator.divide(denominator, Currencies.minorUnits(currency), mode), currency);
    }

    public Money toMoney(BigDecimal highScaleAmount, String currencyCode) {
        Currency currency = Currencies.of(currencyCode);
        return Money.exact(highScaleAmount.setScale(Currencies.minorUnits(currency), mode), currency);
    }
}
