package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Graduated tiers: each tier prices only the units that fall inside it ("first 1,000 at $0.10,
 * the next 9,000 at $0.05, …"). A tier's flat fee is charged when at least one unit falls in the
 * tier. Zero units cost nothing, flat fees included.
 */
public record GraduatedPrice(List<Tier> tiers) implements PriceModel {
    public GraduatedPrice {
        tiers = Prices.requireTiers(tiers);
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        BigDecimal quantity = PriceModel.quantityOf(input, this);
        List<Evaluation.Step> steps = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size() && quantity.compareTo(lower) > 0; i++) {
            Tier t = tiers.get(i);
            BigDecimal upper = t.upTo() == null ? quantity : t.upTo().min(quantity);
            BigDecimal slice = upper.subtract(lower);
            BigDecimal amount = slice.multiply(t.unitPrice());
            String label = "tier " + (i + 1) + " (" + Prices.range(lower, t.upTo()) + ")";
            steps.add(new Evaluation.Step(label + ": " + Decimals.plain(slice) + " × " + Prices.money(currency, t.unitPrice()) + " = "
                    + Prices.money(currency, amount), slice, t.unitPrice(), amount));
            total = total.add(amount);
            if (t.hasFlatFee()) {
                steps.add(new Evaluation.Step(label + " flat fee: " + Prices.money(currency, t.flatFee()), null, null, t.flatFee()));
                total = total.add(t.flatFee());
            }
            if (t.upTo() == null) {
                break;
            }
            lower = t.upTo();
        }
        return new Evaluation(steps, total);
    }
}
