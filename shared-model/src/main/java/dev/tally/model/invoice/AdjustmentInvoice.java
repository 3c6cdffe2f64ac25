package dev.tally.model.invoice;

import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.tax.Taxes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * A stand-alone adjustment invoice: the late usage and retractions of a customer's finalized periods when no close will
 * carry them — every subscription of the customer has ended and its last period is invoiced. Its lines are the
 * adjustments exactly as a period's invoice would carry them ({@link InvoiceDocumentV1.Adjustment}: each line re-priced
 * by its period's plan version, minus what was billed for it so far); {@code subtotal} = Σ adjustments, taxed once on
 * the subtotal. A negative total is a credit: the tenant owes the customer that amount ({@code amountDue} negative).
 * Prepaid credit is not applied (a stranded customer's grants have no period left to draw on them). Pure.
 */
public final class AdjustmentInvoice {
    private AdjustmentInvoice() {
    }

    /**
     * The document for {@code adjustments} (at least one, all of one customer, in {@code currency}); its period spans the
     * adjusted periods, its subscription is the one of the latest adjusted period.
     */
    public static InvoiceDocumentV1 document(String invoiceId, String number, String customerId, String externalId, String currency,
            String subscriptionId, List<InvoiceDocumentV1.Adjustment> adjustments, TaxRate taxRate, RoundingPolicy rounding, Instant now,
            String actor) {
        if (adjustments.isEmpty()) {
            throw new IllegalArgumentException("an adjustment invoice needs at least one adjustment");
        }
        BigDecimal subtotal = Money.zero(currency).amount();
        for (InvoiceDocumentV1.Adjustment a : adjustments) {
            subtotal = subtotal.add(a.amount());
        }
        InvoiceDocumentV1.Tax tax = taxRate == null ? null : InvoiceDocumentV1.Tax.of(Taxes.apply(Money.of(subtotal, currency), taxRate, rounding));
        BigDecimal total = tax == null ? subtotal : tax.gross();
        Instant start = adjustments.stream().map(InvoiceDocumentV1.Adjustment::periodStart).min(Comparator.naturalOrder()).orElseThrow();
        Instant end = adjustments.stream().map(InvoiceDocumentV1.Adjustment::periodEnd).max(Comparator.naturalOrder()).orElseThrow();
        return new InvoiceDocumentV1(invoiceId, number, customerId, externalId, subscriptionId, null, 0, currency, start, end, now, List.of(),
                List.of(), adjustments, subtotal, tax, total, Money.zero(currency).amount(), total, InvoiceGenerator.ROUNDING, now, actor, null,
                InvoiceKind.ADJUSTMENT.wire(), List.of());
    }
}
