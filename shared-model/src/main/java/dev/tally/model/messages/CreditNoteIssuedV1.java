package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A credit note was issued against an invoice, and how its total was settled: {@code appliedToDue} off what was
 * still due, {@code refunded} through the payment provider, {@code credited} back as prepaid credit. Topic
 * {@link Topics#INVOICES}, key {@code tenantId/customerId}, in order with the invoice's own events.
 */
public record CreditNoteIssuedV1(String tenantId, String customerId, String creditNoteId, String number, String invoiceId,
        String invoiceNumber, String currency, BigDecimal subtotal, BigDecimal tax, BigDecimal total, BigDecimal appliedToDue,
        BigDecimal refunded, BigDecimal credited, String reason, String source, String actor, Instant at) {
    public static final String SCHEMA = "CreditNoteIssuedV1";
}
