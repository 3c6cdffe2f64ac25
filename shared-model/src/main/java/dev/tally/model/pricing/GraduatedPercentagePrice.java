package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Graduated percentage (Lago's "graduated percentage"): a percentage of an amount (a SUM of transaction values, say),
 * each tier's rate applying only to the part of the amount inside it ("1 % of the first 10,000, 0.5 % above"), plus a
 * tier's flat fee when the amount reaches it. Each tier's {@code unitPrice} is its rate in percent (0–100). Zero costs
 * nothing, flat fees included.
 */
public record GraduatedPercentagePrice(List<Tier> tiers) implements PriceModel {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public GraduatedPercentagePrice {
        tiers = Prices.requireTiers(tiers);
        for (int i = 0; i < tiers.size(); i++) {
            if (tiers.get(i).unitPrice().compareTo(HUNDRED) > 0) {
                throw new InvalidPriceException("tiers[" + i + "].ratePercent", "must be between 0 and 100, was "
                        + tiers.get(i).unitPrice().toPlainString());
            }
        }
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        BigDecimal amount = PriceModel.quantityOf(input, this);
        List<Evaluation.Step> steps = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size() && amount.compareTo(lower) > 0; i++) {
            Tier t = tiers.get(i);
            BigDecimal upper = t.upTo() == null ? amount : t.upTo().min(amount);
            BigDecimal slice = upper.subtract(lower);
            BigDecimal fee = slice.multiply(t.unitPrice()).movePointLeft(2);
            String label = "tier " + (i + 1) + " (" + Prices.range(lower, t.upTo()) + ")";
            steps.add(new Evaluation.Step(label + ": " + Decimals.plain(t.unitPrice()) + " % of " + Prices.money(currency, slice) + " = "
                    + Prices.money(currency, fee), slice, t.unitPrice(), fee));
            total = total.add(fee);
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
