package dev.tally.model.pricing;

import java.math.BigDecimal;

/**
 * How a charge's usage becomes an amount. Closed set; every model returns its own breakdown, so
 * the explanation is the computation. Amounts are high-scale (exact, unrounded): rounding happens
 * once, per invoice line, in {@link dev.tally.model.money.RoundingPolicy}.
 *
 * <p>Quantity models ({@link PerUnitPrice}, {@link PackagePrice}, {@link GraduatedPrice},
 * {@link VolumePrice}, {@link GraduatedPercentagePrice}) take a {@link ChargeInput.Quantity}; {@link MatrixPrice} takes
 * {@link ChargeInput.Grouped}; {@link PercentagePrice} takes {@link ChargeInput.Transactions}.
 * {@link FreeAllowance} and {@link ChargeCaps} wrap another model.
 */
public sealed interface PriceModel
        permits PerUnitPrice, PackagePrice, GraduatedPrice, GraduatedPercentagePrice, VolumePrice, PercentagePrice, MatrixPrice, FreeAllowance,
        ChargeCaps {

    /** Largest number of fractional digits a price may carry: $0.0000025 fits with room (Stripe allows 12 too). */
    int MAX_PRICE_SCALE = 12;

    Evaluation evaluate(ChargeInput input, String currency);

    /** The input this model prices: a matrix (capped or not) takes groups, a percentage transactions, the rest a quantity. */
    default ChargeInput.Kind inputKind() {
        return switch (this) {
            case MatrixPrice m -> ChargeInput.Kind.GROUPED;
            case PercentagePrice p -> ChargeInput.Kind.TRANSACTIONS;
            case ChargeCaps c -> c.inner().inputKind();
            default -> ChargeInput.Kind.QUANTITY;
        };
    }

    /** Shorthand for quantity models. */
    default Evaluation evaluate(BigDecimal quantity, String currency) {
        return evaluate(new ChargeInput.Quantity(quantity), currency);
    }

    /** The quantity of a {@link ChargeInput.Quantity}, or a clear error for a model given the wrong input. */
    static BigDecimal quantityOf(ChargeInput input, PriceModel model) {
        if (input instanceof ChargeInput.Quantity q) {
            return q.value();
        }
        throw new IllegalArgumentException(model.getClass().getSimpleName() + " prices a quantity, not " + input.getClass().getSimpleName());
    }
}
