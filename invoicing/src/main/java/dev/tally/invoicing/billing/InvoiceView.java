package dev.tally.invoicing.billing;

import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceDocumentV1.Adjustment;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.PeriodTerms;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An invoice as the API shows it: its content and its status. {@code creditNotesTotal}: what issued credit notes
 * credit of it; {@code balanceDue}: what is still to pay — the amount due less what notes took off it while it
 * was unpaid (0 once paid or void).
 */
public record InvoiceView(String invoiceId, String number, String status, String customerId, String externalId, String subscriptionId,
        String plan, int planVersion, String currency, Instant periodStart, Instant periodEnd, Instant pricedAt, List<InvoiceDocumentV1.Line> lines,
        List<PeriodTerms.Line> terms, List<Adjustment> adjustments, BigDecimal subtotal, InvoiceDocumentV1.Tax tax, BigDecimal total, BigDecimal creditsApplied,
        BigDecimal amountDue, BigDecimal creditNotesTotal, BigDecimal balanceDue, String rounding, Instant finalizedAt, String finalizedBy, String reissueOf,
        Instant paidAt, String paymentReference, Instant voidedAt, String voidedBy, String voidReason, String kind,
        List<InvoiceDocumentV1.CreditUse> credits) {
    static InvoiceView of(InvoiceDocumentV1 c, String status, Instant paidAt, String paymentReference, Instant voidedAt, String voidedBy, String voidReason,
            BigDecimal creditNotesTotal, BigDecimal appliedToDue) {
        BigDecimal due = c.amountDue() == null ? c.total() : c.amountDue();
        BigDecimal zero = BigDecimal.ZERO.setScale(due.scale());
        BigDecimal balance = InvoiceStatus.FINALIZED.is(status) ? due.subtract(appliedToDue).max(zero) : zero;
        return new InvoiceView(c.invoiceId(), c.number(), status, c.customerId(), c.externalId(), c.subscriptionId(), c.plan(), c.planVersion(),
                c.currency(), c.periodStart(), c.periodEnd(), c.pricedAt(), c.lines(), c.terms(), c.adjustments(), c.subtotal(), c.tax(), c.total(),
                c.creditsApplied(), c.amountDue(), creditNotesTotal, balance, c.rounding(), c.finalizedAt(), c.finalizedBy(), c.reissueOf(), paidAt,
                paymentReference, voidedAt, voidedBy, voidReason, c.kind(), c.credits());
    }
}
