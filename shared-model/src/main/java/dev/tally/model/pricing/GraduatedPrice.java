package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.List;

/**
 * Graduated tiers: each tier prices only the units that fall inside it ("first 1,000 at $0.10,
 * the next 9,000 at $0.05, …"). A tier's flat fee is charged when at least one unit falls in the
 * tier. Zero units cost nothing, flat fees included. A tier with a {@code packageSize} sells its units in
 * packages ("the first 10 GB free, then $5 per started 100 GB up to 1 TB, then $4 per 100 GB"): its slice
 * costs the packages it starts × its price per package; its bounds must be whole packages, so that no
 * package straddles two tiers.
 */
public record GraduatedPrice(List<Tier> tiers) implements PriceModel {
    public GraduatedPrice {
        tiers = Prices.requireTiers(tiers);
        BigDecimal lower = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size(); i++) {
            Tier t = tiers.get(i);
            if (t.packageSize() != null && (!whole(lower, t.packageSize()) || t.upTo() != null && !whole(t.upTo(), t.packageSize()))) {
                throw new InvalidPriceException("tiers[" + i + "].packageSize", "the tier's bounds (" + Prices.range(lower, t.upTo())
                        + ") must be whole packages of " + Decimals.plain(t.packageSize()));
            }
            lower = t.upTo();
        }
    }

    private static boolean whole(BigDecimal bound, BigDecimal size) {
        return bound.remainder(size).signum() == 0;
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        return Prices.graduated(tiers, PriceModel.quantityOf(input, this), currency, new Prices.TierSlice() {
            @Override
            public BigDecimal amount(BigDecimal slice, Tier tier) {
                return tier.packageSize() == null ? slice.multiply(tier.unitPrice()) : Prices.packages(slice, tier.packageSize()).multiply(tier.unitPrice());
            }

            @Override
            public String text(String label, BigDecimal slice, Tier tier, BigDecimal amount) {
                if (tier.packageSize() == null) {
                    return label + ": " + Decimals.plain(slice) + " × " + Prices.money(currency, tier.unitPrice()) + " = " + Prices.money(currency, amount);
                }
                BigDecimal packages = Prices.packages(slice, tier.packageSize());
                return label + ": " + Decimals.plain(slice) + " in packages of " + Decimals.plain(tier.packageSize()) + " = " + Decimals.plain(packages)
                        + " package" + (packages.compareTo(BigDecimal.ONE) == 0 ? "" : "s") + " × " + Prices.money(currency, tier.unitPrice()) + " = "
                        + Prices.money(currency, amount);
            }
        });
    }
}
