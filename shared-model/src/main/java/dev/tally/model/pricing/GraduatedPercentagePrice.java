package dev.tally.model.pricing;

import java.math.BigDecimal;
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
        tiers = Prices.withoutPackages(Prices.requireTiers(tiers), "graduated_percentage");
        for (int i = 0; i < tiers.size(); i++) {
            if (tiers.get(i).unitPrice().compareTo(HUNDRED) > 0) {
                throw new InvalidPriceException("tiers[" + i + "].ratePercent", "must be between 0 and 100, was "
                        + tiers.get(i).unitPrice().toPlainString());
            }
        }
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        return Prices.graduated(tiers, PriceModel.quantityOf(input, this), currency, new Prices.TierSlice() {
            @Override
            public BigDecimal amount(BigDecimal slice, Tier tier) {
                return slice.multiply(tier.unitPrice()).movePointLeft(2);
            }

            @Override
            public String text(String label, BigDecimal slice, Tier tier, BigDecimal amount) {
                return label + ": " + Decimals.plain(tier.unitPrice()) + " % of " + Prices.money(currency, slice) + " = " + Prices.money(currency, amount);
            }
        });
    }
}
