package dev.tally.model.pricing;

import java.math.BigDecimal;

/**
 * One tier: units up to and including {@code upTo} ({@code null} = no upper bound; only the last
 * tier may have none), a unit price, and an optional flat fee charged when the tier is reached.
 * The lower bound is the previous tier's {@code upTo} (exclusive), or 0 for the first tier.
 */
public record Tier(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee) {
    public Tier {
        if (upTo != null && upTo.signum() <= 0) {
            throw new InvalidPriceException("upTo", "must be positive, was " + upTo.toPlainString());
        }
        Prices.requirePrice(unitPrice, "unitPrice");
        flatFee = flatFee == null ? BigDecimal.ZERO : flatFee;
        Prices.requirePrice(flatFee, "flatFee");
    }

    public static Tier upTo(String upTo, String unitPrice) {
        return new Tier(new BigDecimal(upTo), new BigDecimal(unitPrice), null);
    }

    public static Tier rest(String unitPrice) {
        return new Tier(null, new BigDecimal(unitPrice), null);
    }

    public Tier withFlatFee(String fee) {
        return new Tier(upTo, unitPrice, new BigDecimal(fee));
    }

    boolean hasFlatFee() {
        return flatFee.signum() != 0;
    }
}
