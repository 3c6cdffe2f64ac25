package dev.tally.rating.api;

import java.math.BigDecimal;

/** How quantities and amounts are shown: exact, without trailing zeros, zero as {@code 0}. */
final class Quantities {
    private Quantities() {
    }

    static BigDecimal plain(BigDecimal d) {
        return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }
}
