package dev.tally.model.pricing;

import java.math.BigDecimal;

/** Formatting and parsing of exact decimals; never through {@code double}. */
public final class Decimals {
    private Decimals() {
    }

    /** Plain notation without trailing zeros: {@code 9000}, {@code 0.0000025}. */
    public static String plain(BigDecimal value) {
        return normalized(value).toPlainString();
    }

    /** The same value without trailing fractional zeros, never in exponent form: 3.0864187500000 → 3.08641875, 1E+2 → 100. */
    public static BigDecimal normalized(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
