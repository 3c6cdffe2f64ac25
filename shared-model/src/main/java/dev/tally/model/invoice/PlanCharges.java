package dev.tally.model.invoice;

import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PlanValidator;
import dev.tally.model.pricing.ChargeCaps;
import dev.tally.model.pricing.ChargeInput;
import dev.tally.model.pricing.PercentagePrice;
import dev.tally.model.pricing.PriceModel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan's charges applied to a period's usage: one {@link ChargeUsage} per charge, in plan order,
 * with the meter's quantity (zero when nothing was metered). The one place both the draft invoice
 * (invoicing) and the running spend (rating) get their lines from, so the two cannot disagree.
 */
public final class PlanCharges {
    private PlanCharges() {
    }

    /**
     * A meter's usage in the period: its total over all groups, and the quantity of each group of dimension values
     * (empty for a meter without {@code groupBy}; then the total is one group with no dimensions). A matrix charge
     * prices the groups, every other charge the total.
     */
    public record MeterUsage(BigDecimal quantity, long eventCount, Map<Map<String, String>, BigDecimal> groups,
            Map<Instant, MeterUsage> segments) {
        public static final MeterUsage NONE = new MeterUsage(BigDecimal.ZERO, 0);

        /**
         * @param segments where the plan changed during the period: the part of this usage in each later segment, by the
         *                 instant the segment began (what ingest stamped on its events); the rest is the first segment's.
         *                 Empty when the plan did not change (or the meter is not additive: then the plan at the
         *                 period's end prices all of it)
         */
        public MeterUsage {
            groups = groups == null ? Map.of() : Map.copyOf(groups);
            segments = segments == null ? Map.of() : Map.copyOf(segments);
        }

        /** Usage of a meter with groups, in a period the plan did not change in. */
        public MeterUsage(BigDecimal quantity, long eventCount, Map<Map<String, String>, BigDecimal> groups) {
            this(quantity, eventCount, groups, Map.of());
        }

        /** Usage of a meter without groups. */
        public MeterUsage(BigDecimal quantity, long eventCount) {
            this(quantity, eventCount, Map.of());
        }

        /**
         * This usage less {@code delta} (a quantity per group, the ungrouped group keyed by an empty map): what it was
         * before a change the caller knows. Where the plan changed during the period, the change is taken from the
         * latest segment (where new usage lands; a late event in an earlier one is the rare case, and this serves only
         * to see a budget threshold crossed).
         */
        public MeterUsage minus(Map<Map<String, String>, BigDecimal> delta) {
            BigDecimal total = quantity;
            Map<Map<String, String>, BigDecimal> before = new HashMap<>(groups);
            for (Map.Entry<Map<String, String>, BigDecimal> d : delta.entrySet()) {
                total = total.subtract(d.getValue());
                if (!groups.isEmpty()) {
                    before.merge(d.getKey(), d.getValue().negate(), BigDecimal::add);
                }
            }
            before.values().removeIf(q -> q.signum() == 0);
            if (segments.isEmpty()) {
                return new MeterUsage(total, eventCount, before);
            }
            Map<Instant, MeterUsage> parts = new HashMap<>(segments);
            Instant latest = parts.keySet().stream().max(Instant::compareTo).orElseThrow();
            parts.put(latest, parts.get(latest).minus(delta));
            return new MeterUsage(total, eventCount, before, parts);
        }

        /** This usage less {@code other} (quantity, events and groups): the part of a period outside {@code other}'s segment. */
        public MeterUsage minus(MeterUsage other) {
            Map<Map<String, String>, BigDecimal> rest = new HashMap<>(groups);
            other.groups.forEach((g, q) -> rest.merge(g, q.negate(), BigDecimal::add));
            rest.values().removeIf(q -> q.signum() == 0);
            return new MeterUsage(quantity.subtract(other.quantity), eventCount - other.eventCount, rest);
        }

        /**
         * A percentage charge on a SUM meter of transaction values: every event one transaction, so the fee's percentage
         * and fixed part are exact from the total and the count. A per-transaction minimum or maximum needs each
         * transaction's value, which a meter's usage does not carry: refused (plans with one are refused before this).
         */
        private ChargeInput.Transactions transactions(PriceModel price) {
            PriceModel p = price instanceof ChargeCaps c ? c.inner() : price;
            if (p instanceof PercentagePrice pct && (pct.minimumFee() != null || pct.maximumFee() != null)) {
                throw new IllegalStateException("a per-transaction minimum or maximum fee needs each transaction's value, which a meter's"
                        + " usage does not carry");
            }
            return new ChargeInput.Transactions(eventCount, quantity, 0, BigDecimal.ZERO, 0, BigDecimal.ZERO);
        }

        /** What {@code price} takes of this usage. */
        public ChargeInput input(PriceModel price) {
            return switch (price.inputKind()) {
                case QUANTITY -> new ChargeInput.Quantity(quantity);
                case GROUPED -> new ChargeInput.Grouped(groups.isEmpty() && quantity.signum() != 0 ? Map.of(Map.of(), quantity) : groups);
                case TRANSACTIONS -> transactions(price);
            };
        }
    }

    /**
     * @throws IllegalStateException if the plan is invalid (a published plan never is)
     */
    public static List<ChargeUsage> of(PlanSpec spec, Map<String, MeterUsage> usage) {
        PlanValidator.Result r = PlanValidator.validate(spec);
        if (!r.valid()) {
            throw new IllegalStateException("plan " + spec.key() + " is invalid: " + r.problems());
        }
        Map<String, PriceModel> prices = r.prices();
        List<ChargeUsage> out = new ArrayList<>(spec.charges().size());
        for (PlanSpec.ChargeSpec charge : spec.charges()) {
            MeterUsage u = usage.getOrDefault(charge.meter(), MeterUsage.NONE);
            String description = charge.description() == null || charge.description().isBlank() ? charge.meter() : charge.description();
            PriceModel price = prices.get(charge.meter());
            out.add(new ChargeUsage(charge.meter(), description, price, u.input(price), u.eventCount()));
        }
        return out;
    }
}
