package dev.tally.invoicing.payment;

import dev.tally.model.terms.RefundStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A payment provider as invoicing uses it: the customer's account there, finalized invoices pushed for
 * collection, refunds. Every call carries an idempotency key that is the same on every retry of the same
 * job, so a call that timed out after the provider acted is not acted on twice.
 *
 * <p>Implementations are stateless; a tenant's credentials come with each call ({@link Account}). Amounts are
 * decimals in the invoice's currency (no floating point); an adapter converts them to the provider's units.
 */
public interface PaymentProvider {
    /** The provider's name as configured per tenant: {@code offline} or {@code stripe}. */
    String name();

    /** A tenant's credentials at the provider (never logged, never returned by the API). */
    record Account(String tenantId, String apiKey, String webhookSecret) {
        @Override
        public String toString() {
            return "Account[tenantId=" + tenantId + ", apiKey=***, webhookSecret=***]";
        }
    }

    /** A Tally customer to create at the provider. */
    record CustomerRef(String customerId, String externalId, String name, String email) {
    }

    /** One line of a pushed invoice: what it is and its rounded amount (may be negative for an adjustment). */
    record Line(String description, BigDecimal amount) {
    }

    /**
     * A finalized Tally invoice to collect: its lines (their amounts sum to {@code total} with the tax line, if
     * any, included as a line), and {@code amountDue} after prepaid credit and credit notes.
     */
    record InvoiceDoc(String invoiceId, String number, String currency, List<Line> lines, BigDecimal total, BigDecimal amountDue,
            Instant periodStart, Instant periodEnd) {
    }

    /** A refund of (part of) what the customer paid for an invoice. */
    record RefundRequest(String refundId, String invoiceId, String providerInvoiceId, String paymentReference, String currency,
            BigDecimal amount, String reason) {
    }

    /** The provider's answer to a refund: its id and status ({@code succeeded}, {@code pending} or {@code failed}). */
    record RefundResult(String providerRefundId, RefundStatus status) {
    }

    /** A pushed invoice as the provider has it now: {@code draft}, {@code open}, {@code paid}, {@code void} …, and what it still asks for. */
    record ProviderInvoice(String id, String status, String currency, BigDecimal amountDue) {
    }

    /** Creates the customer at the provider; returns the provider's customer id. */
    String syncCustomer(Account account, CustomerRef customer, String idempotencyKey) throws ProviderException;

    /** Creates and finalizes the invoice at the provider for {@code providerCustomerId}; returns the provider's invoice id. */
    String pushInvoice(Account account, String providerCustomerId, InvoiceDoc invoice, String idempotencyKey) throws ProviderException;

    /** Refunds {@code request.amount()} of the invoice's payment. */
    RefundResult refund(Account account, RefundRequest request, String idempotencyKey) throws ProviderException;

    /**
     * The refund made for Tally refund {@code refundId} of {@code paymentReference}, if the provider has one — asked
     * before a retry, because a provider may have acted on a call whose answer was an error.
     */
    RefundResult findRefund(Account account, String paymentReference, String currency, String refundId) throws ProviderException;

    /** The pushed invoice as the provider has it now. */
    ProviderInvoice invoice(Account account, String providerInvoiceId, String currency) throws ProviderException;

    /** Lowers what an open pushed invoice asks for by {@code amount} (a credit note at the provider). */
    void creditInvoice(Account account, String providerInvoiceId, String currency, BigDecimal amount, String memo, String idempotencyKey)
            throws ProviderException;

    /** Voids an open pushed invoice: the provider stops collecting it. */
    void voidInvoice(Account account, String providerInvoiceId, String idempotencyKey) throws ProviderException;

    /** Marks an open pushed invoice paid outside the provider (a bank transfer recorded in Tally). */
    void markPaidOutOfBand(Account account, String providerInvoiceId, String idempotencyKey) throws ProviderException;

    /**
     * Records usage at the provider: a meter event of {@code value} (a whole number, may be negative) for the meter whose
     * event name is {@code eventName}, at {@code unixSeconds}, identified by {@code identifier} (the provider takes one
     * event per identifier; the same identifier is sent with the same value on every retry).
     */
    void meterEvent(Account account, String eventName, String providerCustomerId, long value, long unixSeconds, String identifier)
            throws ProviderException;
}
