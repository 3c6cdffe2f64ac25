package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.List;

/**
 * Volume tiers: the tier that the whole quantity reaches prices every unit, plus that tier's flat
 * fee ("15,000 units reach tier 3, so all 15,000 cost $0.01"). A quantity exactly on a boundary
 * belongs to the lower tier (bounds are inclusive). Zero units cost nothing.
 */
public record VolumePrice(List<Tier> tiers) implements PriceModel {
    public VolumePrice {
        tiers = Prices.withoutPackages(Prices.requireTiers(tiers), "volume");
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        BigDecimal quantity = PriceModel.quantityOf(input, this);
        if (quantity.signum() == 0) {
            return new Evaluation(List.of(new Evaluation.Step("no usage: " + Prices.money(currency, BigDecimal.ZERO), BigDecimal.ZERO,
                    null, BigDecimal.ZERO)), BigDecimal.ZERO);
        }
        BigDecimal lower = BigDecimal.ZERO;
        int index = 0;
        while (tiers.get(index).upTo() != null && quantity.compareTo(tiers.get(index).upTo()) > 0) {
            lower = tiers.get(index).upTo();
            index++;
        }
        Tier t = tiers.get(index);
        BigDecimal amount = quantity.multiply(t.unitPrice());
        String label = "tier " + (index + 1) + " (" + Prices.range(lower, t.upTo()) + ") reached";
        Evaluation.Step units = new Evaluation.Step(label + ": all " + Decimals.plain(quantity) + " × " + Prices.money(currency, t.unitPrice())
                + " = " + Prices.money(currency, amount), quantity, t.unitPrice(), amount);
        if (!t.hasFlatFee()) {
            return new Evaluation(List.of(units), amount);
        }
        Evaluation.Step fee = new Evaluation.Step("tier " + (index + 1) + " flat fee: " + Prices.money(currency, t.flatFee()), null, null,
                t.flatFee());
        return new Evaluation(List.of(units, fee), amount.add(t.flatFee()));
    }
}
