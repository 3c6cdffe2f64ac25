package dev.tally.model.plan;

import dev.tally.model.pricing.Evaluation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan version as one customer's subscription is priced at one instant: each charge whose meter has an override in
 * force for that customer (and plan, and subscription) takes the override's price; the rest of the plan is unchanged.
 * Pure. Where several overrides of a meter are in force, the most specific wins (the subscription's over the
 * customer's, the plan's over any plan's), then the one that took effect last — a rate card's newer version.
 */
public final class PriceOverrides {
    private static final Comparator<PriceOverride> WINS = Comparator.comparingInt(PriceOverride::specificity)
            .thenComparing(PriceOverride::effectiveFrom).thenComparing(PriceOverride::overrideId);

    private PriceOverrides() {
    }

    /** The plan as priced for the customer, and the override behind each overridden charge (by meter). */
    public record Applied(PlanSpec spec, Map<String, PriceOverride> byMeter) {
        public Applied {
            byMeter = Map.copyOf(byMeter);
        }

        /** A line's explanation: the override behind it first (when there is one), then the price's steps. */
        public List<String> explanation(String meter, List<Evaluation.Step> steps) {
            List<String> out = new ArrayList<>(steps.size() + 1);
            PriceOverride o = byMeter.get(meter);
            if (o != null) {
                out.add(o.explanation());
            }
            steps.forEach(step -> out.add(step.text()));
            return out;
        }
    }

    /**
     * {@code spec} (the plan {@code planKey}) for {@code customerId}'s subscription {@code subscriptionId} at {@code at}:
     * only that customer's overrides apply — any other customer's in {@code overrides} are ignored.
     */
    public static Applied apply(PlanSpec spec, String planKey, String customerId, String subscriptionId, Instant at,
            List<PriceOverride> overrides) {
        Map<String, PriceOverride> winners = new HashMap<>();
        for (PriceOverride o : overrides) {
            boolean applies = o.customerId().equals(customerId) && o.inForceAt(at) && (o.planKey() == null || o.planKey().equals(planKey))
                    && (o.subscriptionId() == null || o.subscriptionId().equals(subscriptionId));
            if (applies) {
                winners.merge(o.meter(), o, (a, b) -> WINS.compare(a, b) >= 0 ? a : b);
            }
        }
        if (winners.isEmpty()) {
            return new Applied(spec, Map.of());
        }
        List<PlanSpec.ChargeSpec> charges = new ArrayList<>(spec.charges().size());
        Map<String, PriceOverride> used = new HashMap<>();
        for (PlanSpec.ChargeSpec c : spec.charges()) {
            PriceOverride o = winners.get(c.meter());
            if (o == null) {
                charges.add(c);
            } else {
                charges.add(new PlanSpec.ChargeSpec(c.meter(), c.description(), o.price()));
                used.put(c.meter(), o);
            }
        }
        return new Applied(new PlanSpec(spec.schemaVersion(), spec.key(), spec.name(), spec.currency(), charges, spec.terms()), used);
    }
}
