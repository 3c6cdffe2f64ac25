package dev.tally.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.invoice.ChargeUsage;
import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.InvoiceLine;
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
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;

class InvoiceCalculatorPropertiesTest {
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-22T00:00:00Z"));

    @Property
    void totalIsExactlyTheSumOfRoundedLines(
            @ForAll @Size(min = 1, max = 8) List<@BigRange(min = "0", max = "1000000000") @Scale(4) BigDecimal> quantities,
            @ForAll @BigRange(min = "0", max = "10") @Scale(9) BigDecimal unitPrice) {
        List<ChargeUsage> charges = new ArrayList<>();
        for (int i = 0; i < quantities.size(); i++) {
            charges.add(new ChargeUsage("m" + i, "meter " + i, new PerUnitPrice(unitPrice), quantities.get(i), 1));
        }
        Invoice invoice = InvoiceCalculator.compute("USD", NOV, charges, RoundingPolicy.DEFAULT);
        Money sum = invoice.lines().stream().map(InvoiceLine::amount).reduce(Money.zero("USD"), Money::plus);
        assertThat(invoice.total()).isEqualTo(sum);
        for (InvoiceLine line : invoice.lines()) {
            // rounded once: never more than half a minor unit away from the exact amount
            assertThat(line.amount().amount().subtract(line.unroundedAmount()).abs())
                    .isLessThanOrEqualTo(new BigDecimal("0.005"));
        }
    }

    @Property
    void tinyUnitPricesDoNotDriftOverABillionEvents(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long events) {
        PerUnitPrice price = new PerUnitPrice(new BigDecimal("0.0000025"));
        BigDecimal exact = price.evaluate(BigDecimal.valueOf(events), "USD").amount();
        assertThat(exact).isEqualByComparingTo(new BigDecimal(events).multiply(new BigDecimal("25")).movePointLeft(7));
    }
}
