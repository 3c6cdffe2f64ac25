package dev.tally.model.tax;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A tax rate of one tax region: {@code ratePercent} in [0, 100] (at most 4 fractional digits), and whether prices
 * already include it ({@code inclusive}: the invoice's amounts are gross and the tax is the part of them that is
 * tax) or it comes on top ({@code exclusive}).
 *
 * @param region      the customer's tax region it applies to, e.g. {@code DE} or {@code US-CA}
 * @param name        what the invoice calls it, e.g. {@code VAT}
 * @param ratePercent e.g. {@code 19} for 19 %
 */
public record TaxRate(String region, String name, BigDecimal ratePercent, boolean inclusive) {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public TaxRate {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ratePercent, "ratePercent");
        if (ratePercent.signum() < 0 || ratePercent.compareTo(HUNDRED) > 0 || ratePercent.stripTrailingZeros().scale() > 4) {
            throw new IllegalArgumentException("a tax rate is a percentage in [0, 100] with at most 4 fractional digits: " + ratePercent);
        }
    }
}
