package dev.tally.model.invoice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxRate;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * A stand-alone adjustment invoice bills exactly what the same adjustments add to a period's invoice, and a credit (the
 * adjustments negated) mirrors it to the minor unit, tax included.
 */
class AdjustmentInvoiceTest {
    private static final BillingPeriod OCT = BillingPeriod.calendarMonthOf(Instant.parse("2026-10-10T00:00:00Z"));
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-10T00:00:00Z"));
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final TaxRate VAT = new TaxRate("DE", "VAT", new BigDecimal("19"), false);
    private static final Subscription SUB = new Subscription("sub_1", "cus_1", OCT.start(), null, BillingCycle.CALENDAR_MONTH, null,
            List.of(new Subscription.Phase(OCT.start(), "gw", 1, Subscription.Reason.START, null)));
    private static final PlanSpec PLAN = new PlanSpec(1, "gw", "Gateway", "USD", List.of(
            new PlanSpec.ChargeSpec("bytes", null, PlanSpec.PriceSpec.perUnit("0.00009"))), null);

    private static InvoiceDocumentV1.Adjustment adjustment(BillingPeriod p, String meter, BigDecimal amount) {
        BigDecimal before = new BigDecimal("10.00");
        return new InvoiceDocumentV1.Adjustment("inv_" + p.start(), "INV-" + p.start(), p.start(), p.end(), meter, meter, BigDecimal.ONE,
                BigDecimal.TEN, 1, 2, before, before.add(amount), amount, List.of("late usage"));
    }

    private static InvoiceDocumentV1 document(List<InvoiceDocumentV1.Adjustment> adjustments, TaxRate rate) {
        return AdjustmentInvoice.document("inv_a", "INV-A", "cus_1", "acme", "USD", "sub_1", adjustments, rate, RoundingPolicy.DEFAULT, NOW,
                "closer");
    }

    @Provide
    Arbitrary<List<BigDecimal>> amounts() {
        return Arbitraries.bigDecimals().between(new BigDecimal("-5000"), new BigDecimal("5000")).ofScale(2).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 300)
    void billsWhatTheSameAdjustmentsAddToAPeriodsInvoice(@ForAll("amounts") List<BigDecimal> amounts) {
        List<InvoiceDocumentV1.Adjustment> adjustments = new ArrayList<>();
        for (int i = 0; i < amounts.size(); i++) {
            adjustments.add(adjustment(i % 2 == 0 ? OCT : NOV, "m" + i, amounts.get(i)));
        }
        InvoiceDocumentV1 alone = document(adjustments, null);
        Map<String, InvoiceGenerator.Usage> usage = Map.of("bytes", new InvoiceGenerator.Usage(new BigDecimal("123456"), 7, 1));
        BillingPeriod dec = BillingPeriod.calendarMonthOf(Instant.parse("2026-12-10T00:00:00Z"));
        InvoiceDocumentV1 without = generate(dec, usage, List.of());
        InvoiceDocumentV1 with = generate(dec, usage, adjustments);
        assertThat(alone.subtotal()).isEqualByComparingTo(with.subtotal().subtract(without.subtotal()));
        assertThat(alone.total()).isEqualByComparingTo(alone.subtotal());
        assertThat(alone.amountDue()).isEqualByComparingTo(alone.total());
        assertThat(alone.periodStart()).isEqualTo(OCT.start());
        assertThat(alone.periodEnd()).isEqualTo(amounts.size() > 1 ? NOV.end() : OCT.end());
        assertThat(alone.kind()).isEqualTo("adjustment");
        assertThat(alone.lines()).isEmpty();
    }

    @Property(tries = 300)
    void aCreditMirrorsTheChargeToTheMinorUnitTaxIncluded(@ForAll("amounts") List<BigDecimal> amounts) {
        List<InvoiceDocumentV1.Adjustment> up = new ArrayList<>();
        List<InvoiceDocumentV1.Adjustment> down = new ArrayList<>();
        for (int i = 0; i < amounts.size(); i++) {
            up.add(adjustment(OCT, "m" + i, amounts.get(i)));
            down.add(adjustment(OCT, "m" + i, amounts.get(i).negate()));
        }
        InvoiceDocumentV1 charge = document(up, VAT);
        InvoiceDocumentV1 credit = document(down, VAT);
        assertThat(credit.tax().tax()).isEqualByComparingTo(charge.tax().tax().negate());
        assertThat(credit.total()).isEqualByComparingTo(charge.total().negate());
        assertThat(charge.total()).isEqualByComparingTo(charge.subtotal().add(charge.tax().tax()));
    }

    /** Worked example: +12.34 of October's late bandwidth and −2.34 retracted from November, 19 % VAT → 10.00 + 1.90 = 11.90. */
    @Test
    void workedExample() {
        InvoiceDocumentV1 d = document(List.of(adjustment(OCT, "bytes", new BigDecimal("12.34")), adjustment(NOV, "bytes", new BigDecimal("-2.34"))),
                VAT);
        assertThat(d.subtotal()).isEqualByComparingTo("10.00");
        assertThat(d.tax().tax()).isEqualByComparingTo("1.90");
        assertThat(d.total()).isEqualByComparingTo("11.90");
        assertThat(d.amountDue()).isEqualByComparingTo("11.90");
        assertThatThrownBy(() -> document(List.of(), VAT)).isInstanceOf(IllegalArgumentException.class);
    }

    private static InvoiceDocumentV1 generate(BillingPeriod p, Map<String, InvoiceGenerator.Usage> usage,
            List<InvoiceDocumentV1.Adjustment> adjustments) {
        return InvoiceGenerator.generate(new InvoiceGenerator.Request("inv_d", "INV-D", "cus_1", "acme", "USD", SUB, p, (k, v) -> PLAN, List.of(),
                usage, adjustments, List.of(), List.of(), List.of(), null, RoundingPolicy.DEFAULT, NOW, "closer", null)).document();
    }
}
