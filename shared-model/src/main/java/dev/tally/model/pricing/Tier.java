package dev.tally.model.pricing;

import java.math.BigDecimal;

/**
 * One tier: units up to and including {@code upTo} ({@code null} = no upper bound; only the last
 * tier may have none), a unit price, and an optional flat fee charged when the tier is reached.
 * The lower bound is the previous tier's {@code upTo} (exclusive), or 0 for the first tier. With a
 * {@code packageSize} (graduated tiers only) the tier is sold in packages: {@code unitPrice} is the price of
 * a package of that many units, and a started package counts in full.
 */
public record Tier(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee, BigDecimal packageSize) {
    public Tier {
        if (upTo != null && upTo.signum() <= 0) {
            throw new InvalidPriceException("upTo", "must be positive, was " + upTo.toPlainString());
        }
        Prices.requirePrice(unitPrice, "unitPrice");
        flatFee = flatFee == null ? BigDecimal.ZERO : flatFee;
        Prices.requirePrice(flatFee, "flatFee");
        if (packageSize != null && packageSize.signum() <= 0) {
            throw new InvalidPriceException("packageSize", "must be positive, was " + packageSize.toPlainString());
        }
    }

    /** A tier priced per unit. */
    public Tier(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee) {
        this(upTo, unitPrice, flatFee, null);
    }

    public static Tier upTo(String upTo, String unitPrice) {
        return new Tier(new BigDecimal(upTo), new BigDecimal(unitPrice), null);
    }

    public static Tier rest(String unitPrice) {
        return new Tier(null, new BigDecimal(unitPrice), null);
    }

    public Tier withFlatFee(String fee) {
        return new Tier(upTo, unitPrice, new BigDecimal(fee), packageSize);
    }

    /** This tier sold in packages of {@code size} units, {@code unitPrice} per package. */
    public Tier inPackagesOf(String size) {
        return new Tier(upTo, unitPrice, flatFee, new BigDecimal(size));
    }

    boolean hasFlatFee() {
        return flatFee.signum() != 0;
    }
}
