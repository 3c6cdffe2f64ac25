package dev.tally.model.terms;

import dev.tally.model.pricing.InvalidPriceException;
import java.math.BigDecimal;

/**
 * A discount on the invoice subtotal: a percentage or a fixed amount, for the first
 * {@code periods} billing periods of the subscription (0 = every period). An amount discount never
 * takes the subtotal below zero.
 */
public record Discount(String name, Kind kind, BigDecimal value, int periods) {
    public enum Kind { PERCENT, AMOUNT }

    public Discount {
        if (kind == null || value == null || value.signum() < 0) {
            throw new InvalidPriceException("value", "a discount needs a kind and a non-negative value");
        }
        if (kind == Kind.PERCENT && value.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new InvalidPriceException("value", "a percent discount must be between 0 and 100");
        }
        if (periods < 0) {
            throw new InvalidPriceException("periods", "must be 0 (forever) or more");
        }
    }

    /** Whether the discount applies to the subscription's period number {@code periodIndex} (0-based). */
    public boolean appliesTo(int periodIndex) {
        return periods == 0 || periodIndex < periods;
    }
}
