package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A per-charge minimum and/or maximum for the period around another model. The minimum applies
 * even with no usage (it is a commitment on this charge); the adjustment is its own step.
 */
public record ChargeCaps(PriceModel inner, BigDecimal minimum, BigDecimal maximum) implements PriceModel {
    public ChargeCaps {
        if (inner == null) {
            throw new InvalidPriceException("inner", "is required");
        }
        if (minimum == null && maximum == null) {
            throw new InvalidPriceException("minimum", "set a minimum, a maximum or both");
        }
        if (minimum != null) {
            Prices.requirePrice(minimum, "minimum");
        }
        if (maximum != null) {
            Prices.requirePrice(maximum, "maximum");
        }
        if (minimum != null && maximum != null && minimum.compareTo(maximum) > 0) {
            throw new InvalidPriceException("minimum", "must not exceed maximum");
        }
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        Evaluation e = inner.evaluate(input, currency);
        List<Evaluation.Step> steps = new ArrayList<>(e.steps());
        BigDecimal total = e.amount();
        if (minimum != null && total.compareTo(minimum) < 0) {
            BigDecimal up = minimum.subtract(total);
            steps.add(new Evaluation.Step("minimum charge " + Prices.money(currency, minimum) + ": +" + Prices.money(currency, up), null, null, up));
            total = minimum;
        } else if (maximum != null && total.compareTo(maximum) > 0) {
            BigDecimal down = total.subtract(maximum);
            steps.add(new Evaluation.Step("maximum charge " + Prices.money(currency, maximum) + ": −" + Prices.money(currency, down), null, null,
                    down.negate()));
            total = maximum;
        }
        return new Evaluation(steps, total);
    }
}
