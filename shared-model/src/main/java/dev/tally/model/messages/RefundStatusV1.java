package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A refund's status changed: {@code pending} (written with its credit note), then {@code succeeded} (with the
 * provider's refund id) or {@code failed} (with the provider's reason). Topic {@link Topics#INVOICES}, key
 * {@code tenantId/customerId}.
 */
public record RefundStatusV1(String tenantId, String customerId, String refundId, String creditNoteId, String invoiceId, String currency,
        BigDecimal amount, String provider, String status, String providerRefundId, String failure, Instant at) {
    public static final String SCHEMA = "RefundStatusV1";
}
