package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** Checks and formatting shared by the price models. */
final class Prices {
    private Prices() {
    }

    static BigDecimal requirePrice(BigDecimal price, String field) {
        if (price == null) {
            throw new InvalidPriceException(field, "is required");
        }
        if (price.signum() < 0) {
            throw new InvalidPriceException(field, "must not be negative, was " + price.toPlainString());
        }
        if (Decimals.normalized(price).scale() > PriceModel.MAX_PRICE_SCALE) {
            throw new InvalidPriceException(field, "has more than " + PriceModel.MAX_PRICE_SCALE + " fractional digits");
        }
        return price;
    }

    /** Tiers must have strictly ascending bounds and end with an unbounded tier: no gap, no overlap. */
    static List<Tier> requireTiers(List<Tier> tiers) {
        if (tiers == null || tiers.isEmpty()) {
            throw new InvalidPriceException("tiers", "at least one tier is required");
        }
        BigDecimal previous = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size(); i++) {
            Tier t = tiers.get(i);
            boolean last = i == tiers.size() - 1;
            if (t.upTo() == null && !last) {
                throw new InvalidPriceException("tiers[" + i + "].upTo", "only the last tier may be unbounded");
            }
            if (t.upTo() == null) {
                continue;
            }
            if (last) {
                throw new InvalidPriceException("tiers[" + i + "].upTo",
                        "the last tier must be unbounded, or quantities above " + t.upTo().toPlainString() + " would have no price");
            }
            if (t.upTo().compareTo(previous) <= 0) {
                throw new InvalidPriceException("tiers[" + i + "].upTo", "must be greater than the previous tier's upTo "
                        + previous.toPlainString() + " (tiers would overlap)");
            }
            previous = t.upTo();
        }
        return List.copyOf(tiers);
    }

    /** Only graduated tiers are sold in packages: {@code model} refuses a tier with a package size. */
    static List<Tier> withoutPackages(List<Tier> tiers, String model) {
        for (int i = 0; i < tiers.size(); i++) {
            if (tiers.get(i).packageSize() != null) {
                throw new InvalidPriceException("tiers[" + i + "].packageSize", "only graduated tiers are sold in packages, not " + model);
            }
        }
        return tiers;
    }

    /** How a graduated walk prices one tier's slice, and how its step reads. */
    interface TierSlice {
        BigDecimal amount(BigDecimal slice, Tier tier);

        String text(String label, BigDecimal slice, Tier tier, BigDecimal amount);
    }

    /**
     * Graduated tiers walked over {@code quantity}: each tier prices only its own slice ({@code price}), plus its flat
     * fee when at least one unit falls in it; nothing for zero.
     */
    static Evaluation graduated(List<Tier> tiers, BigDecimal quantity, String currency, TierSlice price) {
        List<Evaluation.Step> steps = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size() && quantity.compareTo(lower) > 0; i++) {
            Tier t = tiers.get(i);
            BigDecimal upper = t.upTo() == null ? quantity : t.upTo().min(quantity);
            BigDecimal slice = upper.subtract(lower);
            BigDecimal amount = price.amount(slice, t);
            String label = "tier " + (i + 1) + " (" + range(lower, t.upTo()) + ")";
            steps.add(new Evaluation.Step(price.text(label, slice, t, amount), slice, t.unitPrice(), amount));
            total = total.add(amount);
            if (t.hasFlatFee()) {
                steps.add(new Evaluation.Step(label + " flat fee: " + money(currency, t.flatFee()), null, null, t.flatFee()));
                total = total.add(t.flatFee());
            }
            if (t.upTo() == null) {
                break;
            }
            lower = t.upTo();
        }
        return new Evaluation(steps, total);
    }

    static String money(String currency, BigDecimal amount) {
        return currency + " " + Decimals.plain(amount);
    }

    static String range(BigDecimal from, BigDecimal upTo) {
        return upTo == null ? "above " + Decimals.plain(from) : Decimals.plain(from) + "–" + Decimals.plain(upTo);
    }

    /** Number of whole packages needed for {@code quantity}: a started package counts in full. */
    static BigDecimal packages(BigDecimal quantity, BigDecimal size) {
        return quantity.divide(size, 0, RoundingMode.CEILING);
    }
}
