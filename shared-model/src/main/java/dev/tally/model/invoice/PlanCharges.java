package dev.tally.model.invoice;

import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PlanValidator;
import dev.tally.model.pricing.PriceModel;
import java.math.BigDecimal;
import java.util.ArrayList;
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

    /** A meter's usage in the period: its total over all groups. */
    public record MeterUsage(BigDecimal quantity, long eventCount) {
        public static final MeterUsage NONE = new MeterUsage(BigDecimal.ZERO, 0);
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
            out.add(new ChargeUsage(charge.meter(), description, prices.get(charge.meter()), u.quantity(), u.eventCount()));
        }
        return out;
    }
}
