package dev.tally.model.invoice;

import dev.tally.model.money.Money;
import dev.tally.model.pricing.Evaluation;
import java.math.BigDecimal;
import java.util.List;

/**
 * One line: the exact (high-scale) amount, the rounded amount the customer pays, and the steps that
 * explain it. {@code amount} is {@code unroundedAmount} rounded once by the invoice's policy.
 */
public record InvoiceLine(String meterKey, String description, BigDecimal quantity, long eventCount,
        BigDecimal unroundedAmount, Money amount, List<Evaluation.Step> explanation) {
    public InvoiceLine {
        explanation = List.copyOf(explanation);
    }
}
