package dev.tally.model.pricing;

import java.math.BigDecimal;

/** Formatting and parsing of exact decimals; never through {@code double}. */
public final class Decimals {
    private Decimals() {
    }

    /** Plain notation without trailing zeros: {@code 9000}, {@code 0.0000025}. */
    public static String plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
}
