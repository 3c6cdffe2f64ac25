package dev.tally.model.terms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.invoice.ChargeUsage;
import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.PerUnitPrice;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SettlementTest {
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-10T00:00:00Z"));
    private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");
    private static final RoundingPolicy R = RoundingPolicy.DEFAULT;

    private static Money usd(String v) {
        return Money.of(new BigDecimal(v), "USD");
    }

    private static Invoice usage(String quantity) {
        return InvoiceCalculator.compute("USD", NOV,
                List.of(new ChargeUsage("api", "API calls", new PerUnitPrice(new BigDecimal("0.01")), new BigDecimal(quantity), 1)), R);
    }

    @Test
    void fixedFeesAreProratedBySecondsAndRoundedOnce() {
        var half = Proration.fixedFee(usd("30"), NOV, Instant.parse("2026-11-16T00:00:00Z"), null, R);
        assertThat(half.activeSeconds()).isEqualTo(1_296_000);
        assertThat(half.periodSeconds()).isEqualTo(2_592_000);
        assertThat(half.amount()).isEqualTo(usd("15.00"));
        // a third of the month of a 10.00 fee does not terminate: 3.333… rounds once to 3.33
        var third = Proration.fixedFee(usd("10"), NOV, Instant.parse("2026-11-21T00:00:00Z"), null, R);
        assertThat(third.amount()).isEqualTo(usd("3.33"));
        assertThat(third.explanation()).isEqualTo("fixed fee USD 10.00 × 864000 s / 2592000 s = USD 3.33 (prorated by seconds, rounded once)");
        assertThat(Proration.fixedFee(usd("10"), NOV, Instant.parse("2026-10-01T00:00:00Z"), null, R).amount()).isEqualTo(usd("10.00"));
    }

    @Test
    void discountsApplyForTheirNumberOfPeriodsAndNeverBelowZero() {
        Discount launch = new Discount("launch", Discount.Kind.PERCENT, new BigDecimal("10"), 2);
        var first = Settlement.settle(usage("4000"), new Terms(List.of(), List.of(launch), null, List.of(), 1), AT, R);
        assertThat(first.total()).isEqualTo(usd("36.00"));
        assertThat(first.lines().get(1).text()).isEqualTo("launch: 10 % of USD 40.00 = −USD 4.00");
        var third = Settlement.settle(usage("4000"), new Terms(List.of(), List.of(launch), null, List.of(), 2), AT, R);
        assertThat(third.total()).isEqualTo(usd("40.00"));

        Discount big = new Discount("goodwill", Discount.Kind.AMOUNT, new BigDecimal("500"), 0);
        assertThat(Settlement.settle(usage("4000"), new Terms(List.of(), List.of(big), null, List.of(), 7), AT, R).total())
                .isEqualTo(usd("0.00"));
    }

    @Test
    void aMinimumCommitmentAddsATrueUpLine() {
        var r = Settlement.settle(usage("4000"), new Terms(List.of(), List.of(), usd("100"), List.of(), 0), AT, R);
        assertThat(r.total()).isEqualTo(usd("100.00"));
        assertThat(r.lines()).extracting(Settlement.Line::kind).containsExactly("usage", "minimum");
        assertThat(r.lines().get(1).amount()).isEqualTo(usd("60.00"));
        assertThat(Settlement.settle(usage("40000"), new Terms(List.of(), List.of(), usd("100"), List.of(), 0), AT, R).lines())
                .hasSize(1);
    }

    @Test
    void creditsAreUsedByPriorityThenSoonestExpiryAndLeaveALedger() {
        List<CreditGrant> grants = List.of(
                new CreditGrant("promo", usd("30"), 1, Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"), false),
                new CreditGrant("prepaid", usd("100"), 2, Instant.parse("2026-09-01T00:00:00Z"), null, true),
                new CreditGrant("soon", usd("5"), 1, Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-15T00:00:00Z"), false),
                new CreditGrant("future", usd("50"), 0, Instant.parse("2027-01-01T00:00:00Z"), null, true));
        var r = Settlement.settle(usage("6000"), new Terms(List.of(), List.of(), null, grants, 0), AT, R);
        assertThat(r.total()).isEqualTo(usd("60.00"));
        assertThat(r.ledger()).extracting(LedgerEntry::grantId).containsExactly("soon", "promo", "prepaid");
        assertThat(r.ledger()).extracting(LedgerEntry::amount).containsExactly(usd("5"), usd("30"), usd("25"));
        assertThat(r.ledger().get(2).balanceAfter()).isEqualTo(usd("75"));
        assertThat(r.creditsApplied()).isEqualTo(usd("60.00"));
        assertThat(r.amountDue()).isEqualTo(usd("0.00"));

        List<CreditGrant> kept = new ArrayList<>();
        List<LedgerEntry> lapsed = Settlement.lapse(r.grantsAfter(), NOV.end(), kept);
        assertThat(lapsed).isEmpty(); // promo and soon are used up; prepaid and future roll over
        kept.clear();
        var leftover = List.of(new CreditGrant("trial", usd("7"), 0, NOV.start(), null, false));
        assertThat(Settlement.lapse(leftover, NOV.end(), kept)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("no rollover at period end"));
        assertThat(kept.get(0).remaining()).isEqualTo(usd("0"));
    }

    @Property(tries = 300)
    void creditIsNeitherCreatedNorLostAndLinesSumToTheTotal(@ForAll @LongRange(min = 0, max = 100000) long quantity,
            @ForAll @IntRange(min = 0, max = 200) int creditA, @ForAll @IntRange(min = 0, max = 200) int creditB,
            @ForAll @IntRange(min = 0, max = 100) int percentOff, @ForAll @IntRange(min = 0, max = 500) int minimum) {
        List<CreditGrant> grants = List.of(
                new CreditGrant("a", usd(Integer.toString(creditA)), 1, NOV.start(), null, true),
                new CreditGrant("b", usd(Integer.toString(creditB)), 2, NOV.start(), null, false));
        Terms terms = new Terms(List.of(Proration.fixedFee(usd("9.99"), NOV, Instant.parse("2026-11-07T13:00:00Z"), null, R)),
                List.of(new Discount("d", Discount.Kind.PERCENT, BigDecimal.valueOf(percentOff), 0)), usd(Integer.toString(minimum)),
                grants, 0);
        var r = Settlement.settle(usage(Long.toString(quantity)), terms, AT, R);
        assertThat(Settlement.sum(r.lines())).isEqualByComparingTo(r.total().amount());
        Money before = grants.stream().map(CreditGrant::remaining).reduce(usd("0"), Money::plus);
        Money afterSum = r.grantsAfter().stream().map(CreditGrant::remaining).reduce(usd("0"), Money::plus);
        assertThat(afterSum.plus(r.creditsApplied())).isEqualTo(before);
        assertThat(r.amountDue().amount().signum()).isGreaterThanOrEqualTo(0);
        assertThat(r.amountDue().plus(r.creditsApplied())).isEqualTo(r.total());
        assertThat(r.total().compareTo(usd(Integer.toString(minimum)))).isGreaterThanOrEqualTo(0);
    }
}
