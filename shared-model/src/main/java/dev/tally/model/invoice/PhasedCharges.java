package dev.tally.model.invoice;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.plan.PriceOverrides;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.pricing.Evaluation;
import dev.tally.model.subscription.Subscription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A period's usage charges, priced by the plan version in force when the usage happened. A plan change during the
 * period (an upgrade, a downgrade, a migration) cuts it into segments ({@link Subscription#segments}); each segment's
 * usage is priced by its own version, with the customer's overrides in force at the segment's last instant, as if the
 * segment were alone — tiers and free allowances start again in it, as a new subscription's would (Stripe, Orb and Lago
 * do the same on an immediate plan change). One line per charged meter: the segments' exact amounts added up and
 * rounded once; its explanation names each segment, its plan and its usage. Without a change in the period there is
 * one segment, and the lines are exactly {@link PlanCharges}' ones. Pure; the draft, the finalized invoice, late-usage
 * adjustments and rating's spend all price through it.
 */
public final class PhasedCharges {
    private PhasedCharges() {
    }

    /** A segment of the period and the plan that prices it, as this customer is priced (overrides applied). */
    public record PlanSegment(Subscription.Segment segment, PriceOverrides.Applied plan) {
    }

    /**
     * One meter's line.
     *
     * @param line        quantity (the period's usage), events, exact and rounded amount
     * @param explanation the steps, each segment's override and usage named first when the plan changed
     * @param priceModel  the model of the price of the last segment that charges the meter
     * @param override    the override behind that price, or null
     */
    public record Line(InvoiceLine line, List<String> explanation, String priceModel, PriceOverride override) {
    }

    /** The segments of {@code period} of {@code s}, each with its plan version and the overrides in force at its end. */
    public static List<PlanSegment> segments(Subscription s, BillingPeriod period, BiFunction<String, Integer, PlanSpec> plans,
            List<PriceOverride> overrides) {
        List<PlanSegment> out = new ArrayList<>();
        for (Subscription.Segment seg : s.segments(period)) {
            Subscription.Phase p = seg.phase();
            out.add(new PlanSegment(seg, PriceOverrides.apply(plans.apply(p.planKey(), p.planVersion()), p.planKey(), s.customerId(),
                    s.subscriptionId(), seg.to().minusNanos(1_000), overrides)));
        }
        return out;
    }

    /** The lines of {@code usage} in {@code period} over {@code segments} (at least one, in time order). */
    public static List<Line> price(String currency, BillingPeriod period, List<PlanSegment> segments, Map<String, PlanCharges.MeterUsage> usage,
            RoundingPolicy rounding) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a period is priced by at least one segment");
        }
        if (segments.size() == 1) {
            return single(currency, period, segments.get(0).plan(), usage, rounding);
        }
        List<Map<String, PlanCharges.MeterUsage>> bySegment = split(segments, usage);
        List<Map<String, ChargeUsage>> charged = new ArrayList<>();
        Set<String> meters = new LinkedHashSet<>();
        for (int i = segments.size() - 1; i >= 0; i--) {
            segments.get(i).plan().spec().charges().forEach(c -> meters.add(c.meter()));
        }
        for (int i = 0; i < segments.size(); i++) {
            Map<String, ChargeUsage> m = new HashMap<>();
            PlanCharges.of(segments.get(i).plan().spec(), bySegment.get(i)).forEach(c -> m.put(c.meterKey(), c));
            charged.add(m);
        }
        List<Line> out = new ArrayList<>(meters.size());
        for (String meter : meters) {
            out.add(segmented(currency, meter, segments, bySegment, charged, usage.getOrDefault(meter, PlanCharges.MeterUsage.NONE), rounding));
        }
        return out;
    }

    private static List<Line> single(String currency, BillingPeriod period, PriceOverrides.Applied plan, Map<String, PlanCharges.MeterUsage> usage,
            RoundingPolicy rounding) {
        Invoice invoice = InvoiceCalculator.compute(currency, period, PlanCharges.of(plan.spec(), usage), rounding);
        List<Line> out = new ArrayList<>(invoice.lines().size());
        for (int i = 0; i < invoice.lines().size(); i++) {
            InvoiceLine l = invoice.lines().get(i);
            PlanSpec.ChargeSpec charge = plan.spec().charges().get(i);
            out.add(new Line(l, plan.explanation(charge.meter(), l.explanation()), charge.price().model(), plan.byMeter().get(charge.meter())));
        }
        return out;
    }

    /** One meter over every segment: each segment that charges it priced alone, the exact amounts added, rounded once. */
    private static Line segmented(String currency, String meter, List<PlanSegment> segments, List<Map<String, PlanCharges.MeterUsage>> bySegment,
            List<Map<String, ChargeUsage>> charged, PlanCharges.MeterUsage total, RoundingPolicy rounding) {
        BigDecimal exact = BigDecimal.ZERO;
        List<Evaluation.Step> steps = new ArrayList<>();
        List<String> explanation = new ArrayList<>();
        String description = meter;
        String model = null;
        PriceOverride override = null;
        for (int i = 0; i < segments.size(); i++) {
            PlanSegment seg = segments.get(i);
            PlanCharges.MeterUsage u = bySegment.get(i).getOrDefault(meter, PlanCharges.MeterUsage.NONE);
            String head = seg.segment().from() + " to " + seg.segment().to() + " on " + seg.segment().phase().planKey() + " v"
                    + seg.segment().phase().planVersion() + ": " + Decimals.normalized(u.quantity()).toPlainString() + " ("
                    + u.eventCount() + " events)";
            ChargeUsage c = charged.get(i).get(meter);
            if (c == null) {
                explanation.add(head + ", not charged by this version");
                continue;
            }
            Evaluation e = c.price().evaluate(c.input(), currency);
            exact = exact.add(e.amount());
            explanation.add(head + " = " + currency + " " + Decimals.normalized(e.amount()).toPlainString());
            PriceOverride o = seg.plan().byMeter().get(meter);
            if (o != null) {
                explanation.add("  " + o.explanation());
            }
            e.steps().forEach(s -> explanation.add("  " + s.text()));
            steps.addAll(e.steps());
            description = c.description();
            model = seg.plan().spec().charges().stream().filter(x -> x.meter().equals(meter)).findFirst().orElseThrow().price().model();
            override = o;
        }
        Money amount = rounding.toMoney(exact, currency);
        InvoiceLine line = new InvoiceLine(meter, description, total.quantity(), total.eventCount(), exact, amount, steps);
        return new Line(line, List.copyOf(explanation), model, override);
    }

    /**
     * Each segment's usage by meter: a later segment's is the part stamped with its start (a part stamped with an
     * instant that starts no segment goes to the segment containing that instant); the first segment's is the rest.
     */
    static List<Map<String, PlanCharges.MeterUsage>> split(List<PlanSegment> segments, Map<String, PlanCharges.MeterUsage> usage) {
        List<Map<String, PlanCharges.MeterUsage>> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            out.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, PlanCharges.MeterUsage> e : usage.entrySet()) {
            PlanCharges.MeterUsage first = e.getValue();
            for (Map.Entry<Instant, PlanCharges.MeterUsage> part : e.getValue().segments().entrySet()) {
                int i = indexOf(segments, part.getKey());
                if (i == 0) {
                    continue; // stamped inside the first segment: already in the rest
                }
                out.get(i).merge(e.getKey(), part.getValue(), PhasedCharges::plus);
                first = first.minus(part.getValue());
            }
            out.get(0).put(e.getKey(), first);
        }
        return out;
    }

    private static int indexOf(List<PlanSegment> segments, Instant stamp) {
        for (int i = segments.size() - 1; i > 0; i--) {
            if (!stamp.isBefore(segments.get(i).segment().from())) {
                return i;
            }
        }
        return 0;
    }

    private static PlanCharges.MeterUsage plus(PlanCharges.MeterUsage a, PlanCharges.MeterUsage b) {
        Map<Map<String, String>, BigDecimal> groups = new HashMap<>(a.groups());
        b.groups().forEach((g, q) -> groups.merge(g, q, BigDecimal::add));
        return new PlanCharges.MeterUsage(a.quantity().add(b.quantity()), a.eventCount() + b.eventCount(), groups);
    }
}
