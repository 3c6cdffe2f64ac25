package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.List;

/** Every unit costs {@code unitPrice}. Exact: quantity × price is computed without rounding. */
public record PerUnitPrice(BigDecimal unitPrice) implements PriceModel {
    public PerUnitPrice {
        Prices.requirePrice(unitPrice, "unitPrice");
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        BigDecimal quantity = PriceModel.quantityOf(input, this);
        BigDecimal amount = quantity.multiply(unitPrice);
        String text = Decimals.plain(quantity) + " × " + Prices.money(currency, unitPrice) + " = " + Prices.money(currency, amount);
        return new Evaluation(List.of(new Evaluation.Step(text, quantity, unitPrice, amount)), amount);
    }
}
