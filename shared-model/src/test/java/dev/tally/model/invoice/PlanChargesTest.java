package dev.tally.model.invoice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.pricing.ChargeInput;
import dev.tally.model.pricing.PercentagePrice;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What each charge of a plan is priced on: a matrix the meter's groups, every other model the meter's total — the one
 * place the draft, the close, late-usage adjustments and rating's spend get their charge inputs from.
 */
class PlanChargesTest {
    private static final BillingPeriod SEP = BillingPeriod.calendarMonthOf(Instant.parse("2026-09-10T00:00:00Z"));
    private static final List<String> REGIONS = List.of("eu", "us", "ap", "sa");

    private static PlanSpec plan(PlanSpec.PriceSpec price) {
        return PlanSpec.of(1, "grid", "Grid", "USD", List.of(new PlanSpec.ChargeSpec("compute", null, price)));
    }

    private static PlanSpec.PriceSpec matrix(List<PlanSpec.MatrixEntrySpec> entries, PlanSpec.PriceSpec defaultPrice, BigDecimal minimum) {
        return new PlanSpec.PriceSpec("matrix", null, null, null, null, null, null, null, null, List.of("region"), entries, defaultPrice, null,
                minimum, null);
    }

    private static PlanSpec.MatrixEntrySpec cell(String region, String unitPrice) {
        return new PlanSpec.MatrixEntrySpec(Map.of("region", region), PlanSpec.PriceSpec.perUnit(unitPrice));
    }

    private static BigDecimal billed(PlanSpec plan, PlanCharges.MeterUsage usage) {
        return InvoiceCalculator.compute("USD", SEP, PlanCharges.of(plan, Map.of("compute", usage)), RoundingPolicy.DEFAULT).total().amount();
    }

    /** A matrix by region (the shape Orb and Metronome document for regional prices): each region at its cell's price. */
    @Example
    void aMatrixPricesEachRegionByItsCellAndTheRestByTheDefault() {
        PlanSpec p = plan(matrix(List.of(cell("eu", "0.10"), cell("us", "0.08")), PlanSpec.PriceSpec.perUnit("0.12"), null));
        PlanCharges.MeterUsage u = new PlanCharges.MeterUsage(new BigDecimal("1160"), 40, Map.of(Map.of("region", "eu"), new BigDecimal("150"),
                Map.of("region", "us"), new BigDecimal("1000"), Map.of("region", "ap"), new BigDecimal("10")));
        ChargeUsage charge = PlanCharges.of(p, Map.of("compute", u)).get(0);
        assertThat(charge.input()).isInstanceOf(ChargeInput.Grouped.class);
        assertThat(charge.input().total()).isEqualByComparingTo("1160");
        // 150 × 0.10 + 1,000 × 0.08 + 10 × 0.12 = 15 + 80 + 1.20
        assertThat(billed(p, u)).isEqualByComparingTo("96.20");
    }

    @Example
    void aMeterWithoutGroupsIsOneGroupAtTheDefaultAndNoUsageCostsNothingButTheMinimum() {
        PlanSpec p = plan(matrix(List.of(cell("eu", "0.10")), PlanSpec.PriceSpec.perUnit("0.12"), new BigDecimal("5")));
        assertThat(billed(p, new PlanCharges.MeterUsage(new BigDecimal("100"), 1))).isEqualByComparingTo("12.00");
        assertThat(billed(p, PlanCharges.MeterUsage.NONE)).isEqualByComparingTo("5.00");
    }

    /**
     * Stripe's card pricing, 2.9 % + 30¢ per transaction, on a SUM meter of payment amounts (one event per payment):
     * $100, $10 and $2,500 → 2.9 % of 2,610 = 75.69, plus 3 × 0.30 = 0.90 → $76.59 — the same as folding each
     * transaction ({@code PercentagePrice.accumulate}).
     */
    @Example
    void aPercentageChargeOnASumOfTransactionsIsStripesFee() {
        PlanSpec p = plan(new PlanSpec.PriceSpec("percentage", null, null, null, null, new BigDecimal("2.9"), new BigDecimal("0.30"), null, null,
                null, null, null, null, null, null));
        PlanCharges.MeterUsage payments = new PlanCharges.MeterUsage(new BigDecimal("2610"), 3);
        assertThat(billed(p, payments)).isEqualByComparingTo("76.59");
        ChargeInput.Transactions t = (ChargeInput.Transactions) PlanCharges.of(p, Map.of("compute", payments)).get(0).input();
        PercentagePrice price = new PercentagePrice(new BigDecimal("2.9"), new BigDecimal("0.30"), null, null);
        ChargeInput.Transactions folded = ChargeInput.Transactions.NONE;
        for (String v : new String[] {"100", "10", "2500"}) {
            folded = price.accumulate(folded, new BigDecimal(v));
        }
        assertThat(t.count()).isEqualTo(folded.count());
        assertThat(t.valueSum()).isEqualByComparingTo(folded.valueSum());
        // a per-transaction minimum needs each transaction's value: not priced from a meter's total
        PlanSpec withMinimum = plan(new PlanSpec.PriceSpec("percentage", null, null, null, null, new BigDecimal("2.9"), null, new BigDecimal("0.5"),
                null, null, null, null, null, null, null));
        assertThatThrownBy(() -> PlanCharges.of(withMinimum, Map.of("compute", payments))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("each transaction's value");
    }

    /** A matrix whose every cell has the default's price bills exactly what that price bills on the meter's total. */
    @Property(tries = 300)
    void aMatrixOfOnePriceIsThatPriceOnTheTotal(@ForAll("groups") Map<String, BigDecimal> byRegion, @ForAll("prices") String price) {
        PlanSpec m = plan(matrix(List.of(cell("eu", price), cell("us", price)), PlanSpec.PriceSpec.perUnit(price), null));
        PlanSpec flat = plan(PlanSpec.PriceSpec.perUnit(price));
        PlanCharges.MeterUsage u = usage(byRegion);
        assertThat(billed(m, u)).isEqualByComparingTo(billed(flat, u));
    }

    /**
     * What a change did is taken back exactly: usage less a poll's per-group delta is priced as the usage before it (rating's
     * budgets price "before" this way), for a matrix with a different price per region.
     */
    @Property(tries = 300)
    void usageLessADeltaIsPricedAsTheUsageBeforeIt(@ForAll("groups") Map<String, BigDecimal> before, @ForAll("groups") Map<String, BigDecimal> delta) {
        PlanSpec p = plan(matrix(List.of(cell("eu", "0.10"), cell("us", "0.08"), cell("ap", "0.5")), PlanSpec.PriceSpec.perUnit("0.12"), null));
        Map<String, BigDecimal> after = new HashMap<>(before);
        delta.forEach((r, q) -> after.merge(r, q, BigDecimal::add));
        Map<Map<String, String>, BigDecimal> d = new HashMap<>();
        delta.forEach((r, q) -> d.put(Map.of("region", r), q));
        assertThat(billed(p, usage(after).minus(d))).isEqualByComparingTo(billed(p, usage(before)));
    }

    private static PlanCharges.MeterUsage usage(Map<String, BigDecimal> byRegion) {
        Map<Map<String, String>, BigDecimal> groups = new HashMap<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, BigDecimal> e : byRegion.entrySet()) {
            groups.put(Map.of("region", e.getKey()), e.getValue());
            total = total.add(e.getValue());
        }
        return new PlanCharges.MeterUsage(total, byRegion.size(), groups);
    }

    @Provide
    Arbitrary<Map<String, BigDecimal>> groups() {
        return Arbitraries.maps(Arbitraries.of(REGIONS), Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("1000000")).ofScale(3))
                .ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> prices() {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.TEN).ofScale(6).map(BigDecimal::toPlainString);
    }
}
