package dev.tally.model.terms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A period's terms: fixed fees prorated by seconds across plan changes and trials, then discounts and the minimum. */
class PeriodTermsTest {
    private static final Instant SEP = Instant.parse("2026-09-01T00:00:00Z");
    private static final Instant OCT = Instant.parse("2026-10-01T00:00:00Z");
    private static final PlanSpec.TermsSpec BASIC = new PlanSpec.TermsSpec(List.of(new PlanSpec.FixedFeeSpec("platform", "Platform fee",
            new BigDecimal("30.00"))), null, null);
    private static final PlanSpec.TermsSpec PRO = new PlanSpec.TermsSpec(List.of(new PlanSpec.FixedFeeSpec("platform", "Platform fee",
            new BigDecimal("90.00"))), List.of(new PlanSpec.DiscountSpec("launch", "percent", new BigDecimal("10"), 1),
                    new PlanSpec.DiscountSpec("loyalty", "amount", new BigDecimal("5"), 0)), new BigDecimal("100.00"));
    private static final Map<String, PlanSpec.TermsSpec> PLANS = Map.of("basic", BASIC, "pro", PRO);

    private static List<PeriodTerms.Line> fixed(Subscription s, BillingPeriod p) {
        return PeriodTerms.fixedFees(s, p, "USD", (k, v) -> PLANS.get(k), RoundingPolicy.DEFAULT);
    }

    @Test
    void anUpgradeOnTheSixteenthChargesEachPlansFeeForItsSeconds() {
        Instant sixteenth = Instant.parse("2026-09-16T00:00:00Z"); // 15 of September's 30 days on each side
        Subscription s = new Subscription("sub", "c", SEP, null, BillingCycle.CALENDAR_MONTH, null, List.of(
                new Subscription.Phase(SEP, "basic", 1, Subscription.Reason.START, null),
                new Subscription.Phase(sixteenth, "pro", 1, Subscription.Reason.CHANGE, null)));
        List<PeriodTerms.Line> lines = fixed(s, new BillingPeriod(SEP, OCT));
        assertThat(lines).extracting(PeriodTerms.Line::key).containsExactly("fixed:basic.v1:platform", "fixed:pro.v1:platform");
        assertThat(lines).extracting(PeriodTerms.Line::amount).containsExactly(new BigDecimal("15.00"), new BigDecimal("45.00"));
        assertThat(lines.get(1).description()).contains("1296000 s / 2592000 s").contains("prorated by seconds");
    }

    @Test
    void aFirstPeriodStartingMidCycleAndATrialProrateTheFee() {
        Instant start = Instant.parse("2026-09-21T12:00:00Z"); // 9.5 days of 30 → 30.00 × 820800 / 2592000 = 9.50
        Subscription s = new Subscription("sub", "c", start, null, BillingCycle.CALENDAR_MONTH, null, List.of(
                new Subscription.Phase(start, "basic", 1, Subscription.Reason.START, null)));
        BillingPeriod first = s.periodAt(start).orElseThrow();
        assertThat(fixed(s, first)).extracting(PeriodTerms.Line::amount).containsExactly(new BigDecimal("9.50"));
        assertThat(PeriodTerms.periodIndex(s, first)).isZero();
        assertThat(PeriodTerms.periodIndex(s, s.periodAt(OCT).orElseThrow())).isEqualTo(1);
        // free until the 26th 12:00: 4.5 days charged → 4.50
        Subscription trial = new Subscription("sub", "c", start, null, BillingCycle.CALENDAR_MONTH, Instant.parse("2026-09-26T12:00:00Z"),
                List.of(new Subscription.Phase(start, "basic", 1, Subscription.Reason.START, null)));
        assertThat(fixed(trial, first)).extracting(PeriodTerms.Line::amount).containsExactly(new BigDecimal("4.50"));
        // a one-second period charges 30.00 × 1 / 2592000 → 0.00 (rounded once, HALF_EVEN)
        Subscription ends = new Subscription("sub", "c", SEP, SEP.plusSeconds(1), BillingCycle.CALENDAR_MONTH, null,
                List.of(new Subscription.Phase(SEP, "basic", 1, Subscription.Reason.START, null)));
        assertThat(fixed(ends, ends.periodAt(SEP).orElseThrow())).extracting(PeriodTerms.Line::amount).containsExactly(new BigDecimal("0.00"));
    }

    @Test
    void discountsInOrderThenTheTrueUpToTheMinimum() {
        // first period: 10 % of 80.00 = 8.00, then 5.00 off: 67.00, trued up by 33.00 to 100.00
        List<PeriodTerms.Line> first = PeriodTerms.discountsAndMinimum(new BigDecimal("80.00"), "USD", PRO, 0, RoundingPolicy.DEFAULT);
        assertThat(first).extracting(PeriodTerms.Line::key).containsExactly("discount:launch", "discount:loyalty", PeriodTerms.MINIMUM);
        assertThat(first).extracting(PeriodTerms.Line::amount).containsExactly(new BigDecimal("-8.00"), new BigDecimal("-5.00"),
                new BigDecimal("33.00"));
        // second period: the launch discount is over; 130.00 − 5.00 is above the minimum
        List<PeriodTerms.Line> second = PeriodTerms.discountsAndMinimum(new BigDecimal("130.00"), "USD", PRO, 1, RoundingPolicy.DEFAULT);
        assertThat(second).extracting(PeriodTerms.Line::key).containsExactly("discount:loyalty");
        // 10 % of 0.05 = 0.005 → 0.00 (HALF_EVEN), loyalty takes what is left (never below zero)
        List<PeriodTerms.Line> tiny = PeriodTerms.discountsAndMinimum(new BigDecimal("0.05"), "USD",
                new PlanSpec.TermsSpec(null, PRO.discounts(), null), 0, RoundingPolicy.DEFAULT);
        assertThat(tiny).extracting(PeriodTerms.Line::amount).containsExactly(new BigDecimal("0.00"), new BigDecimal("-0.05"));
        assertThat(PeriodTerms.discountsAndMinimum(new BigDecimal("80.00"), "USD", null, 0, RoundingPolicy.DEFAULT)).isEmpty();
    }
}
