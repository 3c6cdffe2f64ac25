package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.List;

/** Every unit costs {@code unitPrice}. Exact: quantity × price is computed without rounding. */
public record PerUnitPrice(BigDecimal unitPrice) implements PriceModel {
    public PerUnitPrice {
        if (unitPrice == null) {
            throw new InvalidPriceException("unitPrice", "is required");
        }
        if (unitPrice.signum() < 0) {
            throw new InvalidPriceException("unitPrice", "must not be negative, was " + unitPrice.toPlainString());
        }
        if (unitPrice.stripTrailingZeros().scale() > MAX_PRICE_SCALE) {
            throw new InvalidPriceException("unitPrice", "has more than " + MAX_PRICE_SCALE + " fractional digits");
        }
    }

    @Override
    public Evaluation evaluate(BigDecimal quantity, String currency) {
        BigDecimal amount = quantity.multiply(unitPrice);
        String text = Decimals.plain(quantity) + " × " + currency + " " + Decimals.plain(unitPrice)
                + " = " + currency + " " + Decimals.plain(amount);
        return new Evaluation(List.of(new Evaluation.Step(text, quantity, unitPrice, amount)), amount);
    }
}
