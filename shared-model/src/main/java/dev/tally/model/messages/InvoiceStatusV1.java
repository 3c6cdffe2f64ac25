package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A finalized invoice's status changed: {@code paid} (with the payment provider's {@code reference}) or
 * {@code void} (with the {@code reason}). Topic {@link Topics#INVOICES}, next to {@link InvoiceIssuedV1}; key
 * {@code tenantId/customerId}, so an invoice's events stay in order.
 */
public record InvoiceStatusV1(String tenantId, String customerId, String invoiceId, String number, String status, BigDecimal total,
        String currency, String actor, String reason, String reference, Instant at) {
    public static final String SCHEMA = "InvoiceStatusV1";
}
