package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An invoice that invoicing finalized; immutable from then on. Topic {@link Topics#INVOICES}; key
 * {@code tenantId/customerId}. For payment providers, ledgers and notifications.
 *
 * @param invoiceId   stable id; a re-delivery carries the same id
 * @param number      the tenant's human invoice number
 * @param periodStart inclusive
 * @param periodEnd   exclusive
 * @param currency    ISO 4217
 * @param lines       rounded line amounts (minor-unit scale), in invoice order
 * @param total       Σ lines
 * @param amountDue   total − credits applied
 */
public record InvoiceIssuedV1(String tenantId, String customerId, String invoiceId, String number, Instant periodStart, Instant periodEnd,
        String currency, List<Line> lines, BigDecimal total, BigDecimal amountDue, Instant issuedAt) {
    public static final String SCHEMA = "InvoiceIssuedV1";

    /** One line: what it is for and its rounded amount. */
    public record Line(String kind, String description, BigDecimal quantity, BigDecimal amount) {
    }
}
