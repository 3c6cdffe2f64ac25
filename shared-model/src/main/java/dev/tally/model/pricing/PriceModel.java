package dev.tally.model.pricing;

import java.math.BigDecimal;

/**
 * How a quantity of a meter becomes an amount. Closed set; each model returns its own breakdown so
 * the explanation is the computation. Amounts are high-scale (unrounded): rounding happens once,
 * per invoice line, in {@link dev.tally.model.money.RoundingPolicy}.
 *
 * <p>Only per-unit exists in the walking skeleton; tiers, packages, matrix and the rest follow.
 */
public sealed interface PriceModel permits PerUnitPrice {

    /** Largest number of fractional digits a unit price may carry: $0.0000025 fits with room. */
    int MAX_PRICE_SCALE = 12;

    Evaluation evaluate(BigDecimal quantity, String currency);
}
