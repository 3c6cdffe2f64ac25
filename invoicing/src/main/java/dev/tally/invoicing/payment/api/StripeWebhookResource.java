package dev.tally.invoicing.payment.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.billing.InvoiceStore;
import dev.tally.invoicing.billing.InvoiceView;
import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.invoicing.payment.ProviderException;
import dev.tally.invoicing.payment.StripeEvents;
import dev.tally.invoicing.payment.stripe.StripeAmounts;
import dev.tally.invoicing.payment.stripe.StripeProvider;
import dev.tally.invoicing.payment.stripe.StripeSignature;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.RefundStatus;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Stripe's webhooks for one tenant, authenticated by Stripe's signature (header {@code Stripe-Signature}, the
 * tenant's webhook signing secret, five minutes' tolerance) instead of an API key. Each event is handled once
 * (its id is recorded in the same transaction as its effect; a redelivery answers 200 and changes nothing):
 * <ul>
 * <li>{@code invoice.paid} (API 2024-06-20: the Tally invoice named in its metadata) and {@code invoice_payment.paid}
 * (newer API versions: the Tally invoice found through the pushed invoice's id) pay the invoice with Stripe's payment
 * intent as its reference; the amount paid must be the invoice's balance due, else 422 (Stripe retries, and it
 * shows). An invoice already paid or voided in Tally is acknowledged and reported for a person to refund.</li>
 * <li>{@code refund.updated}, {@code refund.failed}, {@code charge.refund.updated}: the Tally refund named in the
 * metadata takes Stripe's status.</li>
 * </ul>
 * Other event types are acknowledged and ignored.
 */
@Path("/v1/payment-webhooks/stripe/{tenantId}")
@Produces(MediaType.APPLICATION_JSON)
public class StripeWebhookResource {
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    @Inject
    DataSource dataSource;
    @Inject
    PaymentProviders providers;
    @Inject
    StripeEvents events;
    @Inject
    Invoices invoices;
    @Inject
    InvoiceStore invoiceStore;
    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    public record Received(boolean received, String eventId, String outcome) {
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Transactional
    public Received receive(@PathParam("tenantId") String tenantId, @HeaderParam("Stripe-Signature") String signature, String body)
            throws Exception {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            PaymentProviders.Config config = providers.config(c, tenantId);
            if (config.account() == null || !PaymentProviders.STRIPE.equals(config.provider())) {
                throw ProblemException.notFound("no-stripe-endpoint", "no Stripe webhook endpoint here");
            }
            try {
                StripeSignature.verify(config.account().webhookSecret(), signature, body == null ? "" : body, now, TOLERANCE);
            } catch (StripeSignature.Invalid e) {
                throw ProblemException.badRequest("invalid-signature", "Stripe-Signature does not verify: " + e.getMessage(), "Stripe-Signature");
            }
            JsonNode event = json.readTree(body);
            String eventId = event.path("id").asText(null);
            String type = event.path("type").asText("");
            if (eventId == null) {
                throw ProblemException.badRequest("invalid-field", "the event has no id", "id");
            }
            if (!events.firstDelivery(c, tenantId, eventId, type)) {
                return new Received(true, eventId, "already handled");
            }
            JsonNode object = event.path("data").path("object");
            return switch (type) {
                case "invoice.paid" -> new Received(true, eventId, paid(c, tenantId, object, now));
                case "invoice_payment.paid" -> new Received(true, eventId, invoicePayment(c, tenantId, object, now));
                case "refund.updated", "refund.failed", "charge.refund.updated" -> new Received(true, eventId, refund(c, tenantId, object, now));
                default -> new Received(true, eventId, "ignored");
            };
        }
    }

    private String paid(Connection c, String tenantId, JsonNode invoice, Instant now) throws Exception {
        String invoiceId = invoice.path("metadata").path("tally_invoice_id").asText(null);
        if (invoiceId == null) {
            return "ignored: not a Tally invoice";
        }
        if (invoice.path("paid_out_of_band").asBoolean(false)) {
            return "ignored: paid outside Stripe (recorded in Tally)";
        }
        String intent = invoice.path("payment_intent").asText(null);
        if (intent == null || intent.isBlank() || "null".equals(intent)) {
            // API versions from 2025-03-31 leave payment_intent off the invoice: the payment comes as invoice_payment.paid.
            // Not handled (the event id is not recorded), so a redelivery can still be.
            throw ProblemException.unprocessable("no-payment-intent", "invoice.paid without payment_intent: subscribe the endpoint to"
                    + " invoice_payment.paid (or use API version 2024-06-20)", "data.object.payment_intent");
        }
        return pay(c, tenantId, invoiceId, intent, invoice.path("currency").asText(""), invoice.path("amount_paid").asLong(), now);
    }

    /** An InvoicePayment (API versions from 2025-03-31): the Stripe invoice it paid, found through the push's reference. */
    private String invoicePayment(Connection c, String tenantId, JsonNode payment, Instant now) throws Exception {
        String stripeInvoice = payment.path("invoice").asText(null);
        String intent = payment.path("payment").path("payment_intent").asText(null);
        if (stripeInvoice == null || intent == null || !"paid".equals(payment.path("status").asText("paid"))) {
            return "ignored: not a payment of an invoice by a payment intent";
        }
        String invoiceId = events.tallyInvoiceId(c, tenantId, stripeInvoice);
        if (invoiceId == null) {
            return "ignored: not a Tally invoice";
        }
        return pay(c, tenantId, invoiceId, intent, payment.path("currency").asText(""), payment.path("amount_paid").asLong(), now);
    }

    private String pay(Connection c, String tenantId, String invoiceId, String intent, String stripeCurrency, long amountPaid, Instant now)
            throws Exception {
        InvoiceView v = invoiceStore.get(c, tenantId, invoiceId);
        if (InvoiceStatus.PAID.is(v.status()) && intent.equals(v.paymentReference())) {
            return "already paid";
        }
        if (!InvoiceStatus.FINALIZED.is(v.status())) {
            // paid or voided in Tally meanwhile (the sync job voids or settles it at Stripe): a payment here is an
            // overpayment to give back by hand, reported, not retried by Stripe forever
            return "not applied: invoice " + v.number() + " is " + v.status() + " in Tally; refund payment " + intent + " by hand";
        }
        String currency = stripeCurrency.toUpperCase(Locale.ROOT);
        if (!currency.equals(v.currency())) {
            throw ProblemException.unprocessable("payment-mismatch", "paid in " + currency + ", invoice " + v.number() + " is in " + v.currency(),
                    "currency");
        }
        BigDecimal amount;
        try {
            amount = StripeAmounts.fromMinor(amountPaid, currency);
        } catch (ProviderException e) {
            throw ProblemException.unprocessable("payment-mismatch", e.getMessage(), "currency");
        }
        if (amount.compareTo(v.balanceDue()) != 0) {
            throw ProblemException.unprocessable("payment-mismatch", "Stripe reports " + amount.toPlainString() + " " + currency + " paid, but invoice "
                    + v.number() + " has " + v.balanceDue().toPlainString() + " due", "amount_paid");
        }
        invoices.pay(c, tenantId, invoiceId, intent, amount, "provider:stripe", now);
        return "invoice " + v.number() + " paid";
    }

    private String refund(Connection c, String tenantId, JsonNode refund, Instant now) throws Exception {
        String refundId = refund.path("metadata").path("tally_refund_id").asText(null);
        if (refundId == null) {
            return "ignored: not a Tally refund";
        }
        providers.refund(c, tenantId, refundId); // 404 when it is not this tenant's
        RefundStatus status = StripeProvider.refundStatus(refund.path("status").asText(""));
        String failure = status == RefundStatus.FAILED ? "Stripe: " + refund.path("failure_reason").asText(refund.path("status").asText()) : null;
        boolean moved = providers.settleRefund(c, tenantId, refundId, status, refund.path("id").asText(null), failure, "provider:stripe", now);
        return moved ? "refund " + status.wire() : "refund already settled";
    }

}
