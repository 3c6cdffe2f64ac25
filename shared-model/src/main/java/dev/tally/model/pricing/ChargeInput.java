package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What a charge is priced on. Most price models take a {@link Quantity}; a matrix takes quantities
 * {@link Grouped} by dimension values; a percentage takes per-transaction {@link Transactions}.
 */
public sealed interface ChargeInput {

    /** Which input a price model takes ({@link PriceModel#inputKind()}). */
    enum Kind {
        /** one quantity for the period */
        QUANTITY,
        /** quantities by dimension values */
        GROUPED,
        /** per-transaction fees folded as they happen */
        TRANSACTIONS
    }

    /** The quantity to show on an invoice line for this input. */
    BigDecimal total();

    /** One aggregated quantity for the period, e.g. bytes or API calls. */
    record Quantity(BigDecimal value) implements ChargeInput {
        public Quantity {
            if (value == null || value.signum() < 0) {
                throw new IllegalArgumentException("quantity must be a non-negative decimal, was " + value);
            }
        }

        @Override
        public BigDecimal total() {
            return value;
        }
    }

    /** Quantities by dimension values, e.g. {region=eu} → 1200, {region=us} → 800. Sorted for stable output. */
    record Grouped(Map<Map<String, String>, BigDecimal> quantities) implements ChargeInput {
        public Grouped {
            for (BigDecimal q : quantities.values()) {
                if (q == null || q.signum() < 0) {
                    throw new IllegalArgumentException("grouped quantities must be non-negative");
                }
            }
            quantities = Map.copyOf(quantities);
        }

        @Override
        public BigDecimal total() {
            return quantities.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        }
    }

    /**
     * Per-transaction fees already folded by {@link PercentagePrice#accumulate}: how many
     * transactions, the sum of their values, and how much the per-transaction minimum raised and
     * the maximum cut. Folding is associative, so rating can keep this as a running aggregate.
     */
    record Transactions(long count, BigDecimal valueSum, long raisedCount, BigDecimal raisedBy, long cutCount,
            BigDecimal cutBy) implements ChargeInput {
        public static final Transactions NONE = new Transactions(0, BigDecimal.ZERO, 0, BigDecimal.ZERO, 0, BigDecimal.ZERO);

        public Transactions merge(Transactions o) {
            return new Transactions(count + o.count, valueSum.add(o.valueSum), raisedCount + o.raisedCount, raisedBy.add(o.raisedBy),
                    cutCount + o.cutCount, cutBy.add(o.cutBy));
        }

        @Override
        public BigDecimal total() {
            return valueSum;
        }
    }
}
