package dev.tally.model.invoice;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import java.util.List;

/** An invoice as computed; {@code total} is exactly the sum of the lines' rounded amounts. */
public record Invoice(String currency, BillingPeriod period, List<InvoiceLine> lines, Money total) {
    public Invoice {
        lines = List.copyOf(lines);
        Money sum = lines.stream().map(InvoiceLine::amount).reduce(Money.zero(currency), Money::plus);
        if (!sum.equals(total)) {
            throw new IllegalStateException("total " + total + " is not the sum of lines " + sum);
        }
    }
}
