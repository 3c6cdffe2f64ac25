package dev.tally.model.pricing;

import java.math.BigDecimal;
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
        return Prices.graduated(tiers, PriceModel.quantityOf(input, this), currency, new Prices.TierSlice() {
            @Override
            public BigDecimal amount(BigDecimal slice, Tier tier) {
                return slice.multiply(tier.unitPrice());
            }

            @Override
            public String text(String label, BigDecimal slice, Tier tier, BigDecimal amount) {
                return label + ": " + Decimals.plain(slice) + " × " + Prices.money(currency, tier.unitPrice()) + " = " + Prices.money(currency, amount);
            }
        });
    }
}
