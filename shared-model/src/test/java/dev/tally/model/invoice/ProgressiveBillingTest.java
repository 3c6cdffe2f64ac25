package dev.tally.model.invoice;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.Scale;

/** Progressive invoices plus the period's final invoice add up, before tax, to the period priced once. */
class ProgressiveBillingTest {
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-10T00:00:00Z"));
    private static final Instant END = Instant.parse("2026-12-01T00:30:00Z");
    private static final Subscription SUB = new Subscription("sub_1", "cus_1", NOV.start(), null, BillingCycle.CALENDAR_MONTH, null,
            List.of(new Subscription.Phase(NOV.start(), "gw", 1, Subscription.Reason.START, null)));
    private static final PlanSpec PLAN = new PlanSpec(1, "gw", "Gateway", "USD", List.of(
            new PlanSpec.ChargeSpec("bytes", null, PlanSpec.PriceSpec.perUnit("0.00009")),
            new PlanSpec.ChargeSpec("calls", null, new PlanSpec.PriceSpec("graduated", null, null, null, List.of(
                    new PlanSpec.TierSpec(new BigDecimal("1000"), BigDecimal.ZERO, null), new PlanSpec.TierSpec(null, new BigDecimal("0.002"),
                            null)), null, null, null, null, null, null, null, null, null, null))),
            new PlanSpec.TermsSpec(List.of(new PlanSpec.FixedFeeSpec("platform", "Platform", new BigDecimal("49"))),
                    List.of(new PlanSpec.DiscountSpec("launch", "percent", new BigDecimal("10"), 0)), new BigDecimal("100")));
    private static final TaxRate VAT = new TaxRate("DE", "VAT", new BigDecimal("19"), false);

    private static InvoiceGenerator.Priced priced(BigDecimal bytes, BigDecimal calls) {
        return InvoiceGenerator.price(SUB, NOV, "USD", (k, v) -> PLAN, List.of(), Map.of("bytes", new InvoiceGenerator.Usage(bytes, 1, 1),
                "calls", new InvoiceGenerator.Usage(calls, 1, 1)), RoundingPolicy.DEFAULT);
    }

    private static InvoiceDocumentV1 finalInvoice(BigDecimal bytes, BigDecimal calls, List<ProgressiveBilling.Billed> billed) {
        return InvoiceGenerator.generate(new InvoiceGenerator.Request("inv_f", "INV-F", "cus_1", "acme", "USD", SUB, NOV, (k, v) -> PLAN, List.of(),
                Map.of("bytes", new InvoiceGenerator.Usage(bytes, 1, 1), "calls", new InvoiceGenerator.Usage(calls, 1, 1)), List.of(), List.of(),
                billed, List.of(), VAT, RoundingPolicy.DEFAULT, END, "closer", null)).document();
    }

    @Property(tries = 300)
    void progressiveInvoicesAndTheFinalOneAddUpToThePeriodPricedOnce(@ForAll("growth") List<BigDecimal[]> steps,
            @ForAll @BigRange(min = "1", max = "2000") @Scale(2) BigDecimal threshold) {
        List<ProgressiveBilling.Billed> billed = new ArrayList<>();
        BigDecimal bytes = BigDecimal.ZERO;
        BigDecimal calls = BigDecimal.ZERO;
        for (BigDecimal[] step : steps) {
            bytes = bytes.add(step[0]);
            calls = calls.add(step[1]);
            InvoiceGenerator.Priced now = priced(bytes, calls);
            BigDecimal usage = ProgressiveBilling.usageToDate(now);
            if (ProgressiveBilling.due(usage, billed, threshold)) {
                InvoiceDocumentV1 p = ProgressiveBilling.document("inv_p" + billed.size(), "INV-P" + billed.size(), "cus_1", "acme", SUB, NOV, now,
                        billed, VAT, RoundingPolicy.DEFAULT, END, "progressive");
                assertThat(p.subtotal()).isGreaterThanOrEqualTo(threshold);
                assertThat(p.kind()).isEqualTo("progressive");
                billed.add(new ProgressiveBilling.Billed(p.invoiceId(), p.number(), p.subtotal()));
            }
        }
        InvoiceDocumentV1 withProgressive = finalInvoice(bytes, calls, billed);
        InvoiceDocumentV1 once = finalInvoice(bytes, calls, List.of());
        BigDecimal progressive = billed.stream().map(ProgressiveBilling.Billed::subtotal).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(withProgressive.subtotal().add(progressive)).isEqualByComparingTo(once.subtotal());
        assertThat(withProgressive.terms().stream().filter(t -> t.key().startsWith(ProgressiveBilling.KEY_PREFIX))).hasSize(billed.size());
        // the fixed fee, discount and minimum commitment are the final invoice's, as without progressive invoices
        assertThat(withProgressive.terms().subList(0, once.terms().size())).isEqualTo(once.terms());
    }

    @Provide
    Arbitrary<List<BigDecimal[]>> growth() {
        Arbitrary<BigDecimal> bytes = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("20000000")).ofScale(0);
        Arbitrary<BigDecimal> calls = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("300000")).ofScale(0);
        return bytes.flatMap(b -> calls.map(c -> new BigDecimal[] {b, c})).list().ofMinSize(1).ofMaxSize(12);
    }
}
