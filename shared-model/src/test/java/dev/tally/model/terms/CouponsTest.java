package dev.tally.model.terms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Coupons and subscription discounts on a customer's invoices. */
class CouponsTest {
    private static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");

    private static Coupons.Redemption coupon(String id, String code, Discount.Kind kind, String value, Integer periods, Instant at) {
        return new Coupons.Redemption(id, code, code == null ? "loyalty" : code, kind, new BigDecimal(value), periods, null, at, 0);
    }

    /** Stripe's example shapes: 20 % off, then $5 off what is left, in the order redeemed, each rounded once. */
    @Example
    void percentThenAmountInTheOrderRedeemed() {
        BillingPeriod sep = BillingPeriod.calendarMonthOf(T0);
        List<PeriodTerms.Line> lines = Coupons.apply(new BigDecimal("40.00"), "USD", List.of(
                coupon("r2", "FIVE", Discount.Kind.AMOUNT, "5", 1, T0.plusSeconds(60)),
                coupon("r1", "WELCOME20", Discount.Kind.PERCENT, "20", 3, T0)), "sub_1", sep, RoundingPolicy.DEFAULT);
        assertThat(lines).extracting(PeriodTerms.Line::key).containsExactly("coupon:r1", "coupon:r2");
        assertThat(lines.get(0).amount()).isEqualByComparingTo("-8.00");
        assertThat(lines.get(0).description()).isEqualTo("coupon WELCOME20: 20 % of USD 40.00 = −USD 8.00");
        assertThat(lines.get(1).amount()).isEqualByComparingTo("-5.00");
        // a coupon redeemed after the period ended does not reach back into it; another subscription's discount does not apply
        Coupons.Redemption later = coupon("r3", "LATE", Discount.Kind.PERCENT, "50", null, sep.end());
        Coupons.Redemption other = new Coupons.Redemption("r4", null, "other", Discount.Kind.PERCENT, new BigDecimal("50"), null, "sub_2", T0, 0);
        assertThat(Coupons.apply(new BigDecimal("40.00"), "USD", List.of(later, other), "sub_1", sep, RoundingPolicy.DEFAULT)).isEmpty();
    }

    /**
     * Over consecutive periods, a coupon for N periods discounts exactly the first N invoices with something to discount
     * after its redemption; no invoice goes below zero; every line is in the currency's minor unit.
     */
    @Property(tries = 300)
    void aCouponForNPeriodsDiscountsExactlyNInvoicesAndNeverBelowZero(@ForAll("totals") List<BigDecimal> totals,
            @ForAll("redemptions") List<Coupons.Redemption> redemptions) {
        List<Coupons.Redemption> now = new ArrayList<>(redemptions);
        int[] applied = new int[redemptions.size()];
        BillingPeriod period = BillingPeriod.calendarMonthOf(T0);
        for (BigDecimal total : totals) {
            List<PeriodTerms.Line> lines = Coupons.apply(total, "USD", now, "sub_1", period, RoundingPolicy.DEFAULT);
            BigDecimal after = total;
            for (PeriodTerms.Line l : lines) {
                assertThat(l.amount().signum()).isNegative();
                assertThat(l.amount().scale()).isEqualTo(2);
                after = after.add(l.amount());
                applied[redemptions.indexOf(redemptions.stream().filter(r -> r.key().equals(l.key())).findFirst().orElseThrow())]++;
            }
            assertThat(after.signum()).isGreaterThanOrEqualTo(0);
            now = new ArrayList<>(Coupons.after(now, lines));
            period = new BillingPeriod(period.end(), period.end().plusSeconds(30L * 86_400));
        }
        for (int i = 0; i < redemptions.size(); i++) {
            Integer periods = redemptions.get(i).periods();
            if (periods != null) {
                assertThat(applied[i]).isLessThanOrEqualTo(periods);
            }
            assertThat(now.get(i).periodsUsed()).isEqualTo(applied[i]);
        }
    }

    @Provide
    Arbitrary<List<BigDecimal>> totals() {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("5000")).ofScale(2).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Coupons.Redemption>> redemptions() {
        Arbitrary<Coupons.Redemption> one = Combinators.combine(Arbitraries.strings().alpha().ofLength(8), Arbitraries.of(Discount.Kind.values()),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("100")).ofScale(2), Arbitraries.integers().between(1, 4).injectNull(0.3),
                Arbitraries.longs().between(0, 90L * 86_400))
                .as((id, kind, value, periods, after) -> coupon("r_" + id, id.toUpperCase(), kind, value.toPlainString(), periods,
                        T0.plusSeconds(after)));
        return one.list().ofMaxSize(4).uniqueElements(Coupons.Redemption::redemptionId);
    }
}
