package dev.tally.model.terms;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.subscription.Subscription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A subscription period's terms besides usage, from its plans' {@link PlanSpec.TermsSpec}: fixed fees of every
 * plan version in force during the period, each prorated by seconds over the part of the billing cycle's period
 * it was in force (and past any trial); then, on usage plus fixed fees, the discounts and the minimum commitment
 * of the plan in force at the period's end (the one that prices its usage), via {@link Settlement#discountsAndMinimum}.
 * Every line has a stable key, so a later re-pricing of the period (late usage) can be compared line by line.
 */
public final class PeriodTerms {
    private PeriodTerms() {
    }

    /** The key of a true-up line. */
    public static final String MINIMUM = "minimum:commitment";

    /** {@code key}: {@code fixed:<plan>.v<version>:<fee>}, {@code discount:<name>} or {@link #MINIMUM}; every key has a colon (a meter key never does). */
    public record Line(String key, String kind, String description, BigDecimal amount) {
    }

    /** The fixed fee lines of {@code period} (cut to the subscription) of {@code s}; {@code terms} gives a plan version's terms. */
    public static List<Line> fixedFees(Subscription s, BillingPeriod period, String currency, BiFunction<String, Integer, PlanSpec.TermsSpec> terms,
            RoundingPolicy rounding) {
        BillingPeriod cycle = s.cycle().periodContaining(period.start());
        List<Line> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        List<Subscription.Phase> phases = s.phases();
        for (int i = 0; i < phases.size(); i++) {
            Subscription.Phase ph = phases.get(i);
            Instant from = ph.effectiveAt();
            Instant until = i + 1 < phases.size() ? phases.get(i + 1).effectiveAt() : s.end();
            if (s.trialEnd() != null && from.isBefore(s.trialEnd())) {
                from = s.trialEnd();
            }
            Instant f = from.isAfter(period.start()) ? from : period.start();
            Instant u = until == null || until.isAfter(period.end()) ? period.end() : until;
            if (!f.isBefore(u)) {
                continue;
            }
            PlanSpec.TermsSpec t = terms.apply(ph.planKey(), ph.planVersion());
            if (t == null || t.fixedFees() == null) {
                continue;
            }
            for (PlanSpec.FixedFeeSpec fee : t.fixedFees()) {
                Proration.Prorated p = Proration.fixedFee(Money.of(fee.amount(), currency), cycle, f, u, rounding);
                String key = "fixed:" + ph.planKey() + ".v" + ph.planVersion() + ":" + fee.key();
                for (int n = 2; !keys.add(key); n++) {
                    key = "fixed:" + ph.planKey() + ".v" + ph.planVersion() + ":" + fee.key() + "#" + n;
                }
                String what = fee.description() == null || fee.description().isBlank() ? fee.key() : fee.description();
                out.add(new Line(key, "fixed", what + " (" + ph.planKey() + " v" + ph.planVersion() + "): " + p.explanation(), p.amount().amount()));
            }
        }
        return out;
    }

    /**
     * The discount and true-up lines on {@code running} (the period's usage lines plus fixed fees), by {@code terms}
     * (the plan in force at the period's end), for the subscription's period number {@code periodIndex}.
     */
    public static List<Line> discountsAndMinimum(BigDecimal running, String currency, PlanSpec.TermsSpec terms, int periodIndex,
            RoundingPolicy rounding) {
        if (terms == null) {
            return List.of();
        }
        List<Line> out = new ArrayList<>();
        Money left = Money.of(running, currency);
        for (PlanSpec.DiscountSpec d : terms.discounts() == null ? List.<PlanSpec.DiscountSpec>of() : terms.discounts()) {
            Discount discount = new Discount(d.name(), "percent".equals(d.kind()) ? Discount.Kind.PERCENT : Discount.Kind.AMOUNT, d.value(),
                    d.periods() == null ? 0 : d.periods());
            for (Settlement.Line l : Settlement.discountsAndMinimum(left, List.of(discount), null, periodIndex, rounding)) {
                out.add(new Line("discount:" + d.name(), l.kind(), l.text(), l.amount().amount()));
                left = left.plus(l.amount());
            }
        }
        if (terms.minimumCommitment() != null) {
            for (Settlement.Line l : Settlement.discountsAndMinimum(left, List.of(), Money.of(terms.minimumCommitment(), currency), periodIndex,
                    rounding)) {
                out.add(new Line(MINIMUM, l.kind(), l.text(), l.amount().amount()));
            }
        }
        return out;
    }

    /** Which of the subscription's periods {@code period} is: 0 for the first (which starts with the subscription). */
    public static int periodIndex(Subscription s, BillingPeriod period) {
        int index = 0;
        Instant t = s.start();
        while (t.isBefore(period.start())) {
            t = s.cycle().periodContaining(t).end();
            index++;
            if (index > 100_000) {
                throw new IllegalStateException("period " + period + " is too far from the subscription's start " + s.start());
            }
        }
        return index;
    }
}
