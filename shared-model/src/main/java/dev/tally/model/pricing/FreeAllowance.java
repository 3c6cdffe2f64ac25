package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The first {@code freeUnits} of the period cost nothing; the rest is priced by {@code then},
 * whose tiers (if any) start counting from the first billable unit.
 */
public record FreeAllowance(BigDecimal freeUnits, PriceModel then) implements PriceModel {
    public FreeAllowance {
        if (freeUnits == null || freeUnits.signum() < 0) {
            throw new InvalidPriceException("freeUnits", "must be zero or more");
        }
        if (then == null || then instanceof MatrixPrice || then instanceof PercentagePrice) {
            throw new InvalidPriceException("then", "a free allowance wraps a quantity price");
        }
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        BigDecimal quantity = PriceModel.quantityOf(input, this);
        BigDecimal free = quantity.min(freeUnits);
        BigDecimal billable = quantity.subtract(free);
        List<Evaluation.Step> steps = new ArrayList<>();
        steps.add(new Evaluation.Step("free allowance: " + Decimals.plain(free) + " of " + Decimals.plain(freeUnits) + " free units used = "
                + Prices.money(currency, BigDecimal.ZERO), free, BigDecimal.ZERO, BigDecimal.ZERO));
        Evaluation rest = then.evaluate(billable, currency);
        steps.addAll(rest.steps());
        return new Evaluation(steps, rest.amount());
    }
}
