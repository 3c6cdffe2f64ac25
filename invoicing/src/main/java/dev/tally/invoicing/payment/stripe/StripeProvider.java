package dev.tally.invoicing.payment.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.invoicing.payment.PaymentProvider;
import dev.tally.invoicing.payment.ProviderException;
import dev.tally.invoicing.payment.stripe.StripeClient.Form;
import dev.tally.model.terms.RefundStatus;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The Stripe adapter of {@link PaymentProvider}: customers, finalized invoices pushed for automatic collection,
 * and refunds, through Stripe's HTTP API ({@link StripeClient}; errors and retryability are explained there).
 *
 * <p><b>Pushing an invoice</b> takes several Stripe calls: create a draft invoice, add one invoice item per line,
 * finalize. Each call has its own idempotency key derived from the caller's ({@code key:invoice},
 * {@code key:item:<n>}, {@code key:finalize}), so re-running the whole push with the same key after a failure at
 * any step replays what Stripe already did (same invoice id, same items) and only does what is left: never a
 * second invoice or a duplicated line. The draft is created with {@code auto_advance=false} and
 * {@code pending_invoice_items_behavior=exclude}, so Stripe neither finalizes it while items are still being added
 * nor pulls in pending items that are not Tally's; finalizing with {@code auto_advance=true} then lets Stripe
 * collect it ({@code charge_automatically}).
 *
 * <p><b>Amounts</b> are checked before anything is sent: every line must convert exactly to minor units
 * ({@link StripeAmounts}) and the lines must add up to the invoice's total, otherwise nothing is pushed. Stripe must
 * collect only the amount <em>due</em> (the total less prepaid credit and credit notes Tally already applied), so
 * when {@code amountDue < total} a last negative line "Prepaid credit and credit notes" of
 * {@code amountDue − total} is added and the Stripe invoice's total equals {@code amountDue}; after finalizing,
 * the total Stripe reports is checked against it. An amount due above the total or below zero is refused.
 *
 * <p>Plain class, no CDI: one instance per Stripe API base, sharing one {@link java.net.http.HttpClient}; the
 * tenant's key comes with each call.
 */
public class StripeProvider implements PaymentProvider {
    /** The description of the line that takes prepaid credit and credit notes off the Stripe invoice. */
    public static final String CREDIT_LINE = "Prepaid credit and credit notes";
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final StripeClient stripe;

    /** @param apiBase {@code https://api.stripe.com} (or a stub's address); {@code timeout} per connect and per call */
    public StripeProvider(URI apiBase, Duration timeout) {
        this.stripe = new StripeClient(apiBase, timeout);
    }

    @Override
    public String name() {
        return "stripe";
    }

    @Override
    public String syncCustomer(Account account, CustomerRef customer, String idempotencyKey) throws ProviderException {
        Form form = new Form()
                .put("name", customer.name())
                .put("email", customer.email())
                .metadata("tally_customer_id", customer.customerId())
                .metadata("tally_external_id", customer.externalId());
        return id(stripe.post(account.apiKey(), "/v1/customers", form, idempotencyKey), "customer");
    }

    /** See the class comment: create the draft, one item per line (plus the credit line), finalize. */
    @Override
    public String pushInvoice(Account account, String providerCustomerId, InvoiceDoc invoice, String idempotencyKey) throws ProviderException {
        String currency = StripeAmounts.isoCode(invoice.currency()).toLowerCase(Locale.ROOT);
        List<Item> items = items(invoice);
        long amountDue = items.stream().mapToLong(Item::minorUnits).sum(); // the lines plus the credit line

        Form draft = new Form()
                .put("customer", providerCustomerId)
                .put("currency", currency)
                .put("collection_method", "charge_automatically")
                .put("auto_advance", false)
                .put("pending_invoice_items_behavior", "exclude")
                .put("description", "Tally invoice " + invoice.number())
                .metadata("tally_invoice_id", invoice.invoiceId())
                .metadata("tally_invoice_number", invoice.number());
        String invoiceId = id(stripe.post(account.apiKey(), "/v1/invoices", draft, subKey(idempotencyKey, "invoice")), "invoice");

        for (int i = 0; i < items.size(); i++) {
            Form item = new Form()
                    .put("customer", providerCustomerId)
                    .put("invoice", invoiceId)
                    .put("currency", currency)
                    .put("amount", items.get(i).minorUnits())
                    .put("description", items.get(i).description());
            if (invoice.periodStart() != null && invoice.periodEnd() != null) {
                item.put("period[start]", invoice.periodStart().getEpochSecond()).put("period[end]", invoice.periodEnd().getEpochSecond());
            }
            stripe.post(account.apiKey(), "/v1/invoiceitems", item, subKey(idempotencyKey, "item:" + i));
        }

        String finalizePath = "/v1/invoices/" + URLEncoder.encode(invoiceId, StandardCharsets.UTF_8) + "/finalize";
        JsonNode finalized = stripe.post(account.apiKey(), finalizePath, new Form().put("auto_advance", true), subKey(idempotencyKey, "finalize"));
        JsonNode total = finalized.path("total");
        if (!total.canConvertToLong() || total.asLong() != amountDue) {
            throw new ProviderException("Stripe invoice " + invoiceId + " was finalized with total " + total + " but Tally invoice " + invoice.number()
                    + " is due " + amountDue + " " + currency + " (minor units); reconcile it by hand", false, 0);
        }
        return invoiceId;
    }

    /** {@code POST /v1/billing/meter_events}, its identifier also the idempotency key (a retry replays Stripe's first answer). */
    @Override
    public void meterEvent(Account account, String eventName, String providerCustomerId, long value, long unixSeconds, String identifier)
            throws ProviderException {
        Form form = new Form()
                .put("event_name", eventName)
                .put("payload[stripe_customer_id]", providerCustomerId)
                .put("payload[value]", value)
                .put("timestamp", unixSeconds)
                .put("identifier", identifier);
        stripe.post(account.apiKey(), "/v1/billing/meter_events", form, identifier);
    }

    @Override
    public RefundResult refund(Account account, RefundRequest request, String idempotencyKey) throws ProviderException {
        if (request.paymentReference() == null || request.paymentReference().isBlank()) {
            throw new ProviderException("refund " + request.refundId() + ": invoice " + request.invoiceId()
                    + " has no Stripe payment (payment_intent) to refund", false, 0);
        }
        long amount = StripeAmounts.toMinor(request.amount(), request.currency());
        if (amount <= 0) {
            throw new ProviderException("refund " + request.refundId() + ": the amount must be positive", false, 0);
        }
        Form form = new Form()
                .put("payment_intent", request.paymentReference())
                .put("amount", amount)
                .put("reason", "requested_by_customer")
                .metadata("tally_refund_id", request.refundId())
                .metadata("tally_invoice_id", request.invoiceId());
        JsonNode refund = stripe.post(account.apiKey(), "/v1/refunds", form, idempotencyKey);
        return new RefundResult(id(refund, "refund"), refundStatus(refund.path("status").asText("")));
    }

    /** Looks the refund up among the payment intent's refunds by {@code metadata[tally_refund_id]}; null when Stripe has none. */
    @Override
    public RefundResult findRefund(Account account, String paymentReference, String currency, String refundId) throws ProviderException {
        if (paymentReference == null || paymentReference.isBlank()) {
            return null;
        }
        JsonNode list = stripe.get(account.apiKey(), "/v1/refunds?limit=100&payment_intent=" + URLEncoder.encode(paymentReference,
                StandardCharsets.UTF_8));
        for (JsonNode r : list.path("data")) {
            if (refundId.equals(r.path("metadata").path("tally_refund_id").asText())) {
                return new RefundResult(r.path("id").asText(), refundStatus(r.path("status").asText("")));
            }
        }
        return null;
    }

    @Override
    public ProviderInvoice invoice(Account account, String providerInvoiceId, String currency) throws ProviderException {
        JsonNode i = stripe.get(account.apiKey(), "/v1/invoices/" + URLEncoder.encode(providerInvoiceId, StandardCharsets.UTF_8));
        return new ProviderInvoice(id(i, "invoice"), i.path("status").asText(""), currency,
                StripeAmounts.fromMinor(i.path("amount_remaining").asLong(i.path("amount_due").asLong()), currency));
    }

    /** A Stripe credit note of {@code amount} on the open invoice: what it asks for goes down by that much. */
    @Override
    public void creditInvoice(Account account, String providerInvoiceId, String currency, BigDecimal amount, String memo, String idempotencyKey)
            throws ProviderException {
        long minor = StripeAmounts.toMinor(amount, currency);
        if (minor <= 0) {
            throw new ProviderException("a Stripe credit note needs a positive amount", false, 0);
        }
        stripe.post(account.apiKey(), "/v1/credit_notes", new Form().put("invoice", providerInvoiceId).put("amount", minor).put("memo", memo),
                idempotencyKey);
    }

    @Override
    public void voidInvoice(Account account, String providerInvoiceId, String idempotencyKey) throws ProviderException {
        stripe.post(account.apiKey(), "/v1/invoices/" + URLEncoder.encode(providerInvoiceId, StandardCharsets.UTF_8) + "/void", new Form(),
                idempotencyKey);
    }

    @Override
    public void markPaidOutOfBand(Account account, String providerInvoiceId, String idempotencyKey) throws ProviderException {
        stripe.post(account.apiKey(), "/v1/invoices/" + URLEncoder.encode(providerInvoiceId, StandardCharsets.UTF_8) + "/pay",
                new Form().put("paid_out_of_band", true), idempotencyKey);
    }

    /** Stripe's refund status as Tally's: {@code succeeded}, {@code pending} (also requires_action), {@code failed} (also canceled). */
    public static RefundStatus refundStatus(String stripeStatus) {
        return switch (stripeStatus) {
            case "succeeded" -> RefundStatus.SUCCEEDED;
            case "failed", "canceled" -> RefundStatus.FAILED;
            default -> RefundStatus.PENDING; // pending, requires_action, or a status newer than this adapter: not final yet
        };
    }

    /** The Stripe lines of {@code invoice} in minor units, checked to add up, plus the credit line if less is due. */
    private static List<Item> items(InvoiceDoc invoice) throws ProviderException {
        String currency = invoice.currency();
        List<Item> items = new ArrayList<>();
        long sum = 0;
        for (Line line : invoice.lines() == null ? List.<Line>of() : invoice.lines()) {
            long minor = StripeAmounts.toMinor(line.amount(), currency);
            sum = Math.addExact(sum, minor);
            items.add(new Item(line.description(), minor));
        }
        long total = StripeAmounts.toMinor(invoice.total(), currency);
        long due = StripeAmounts.toMinor(invoice.amountDue(), currency);
        if (sum != total) {
            throw new ProviderException("invoice " + invoice.number() + ": its lines add up to " + amount(sum, currency) + " but its total is "
                    + invoice.total().toPlainString() + "; not pushed", false, 0);
        }
        if (due > total || due < 0) {
            throw new ProviderException("invoice " + invoice.number() + ": amount due " + invoice.amountDue().toPlainString()
                    + " is not between 0 and the total " + invoice.total().toPlainString() + "; not pushed", false, 0);
        }
        if (due < total) {
            items.add(new Item(CREDIT_LINE, due - total));
        }
        return items;
    }

    private static String amount(long minor, String currency) throws ProviderException {
        String code = StripeAmounts.isoCode(currency);
        return BigDecimal.valueOf(minor, StripeAmounts.WHOLE_AS_TWO_DECIMAL.contains(code) ? 2 : StripeAmounts.decimals(code)).toPlainString();
    }

    /**
     * The idempotency key of one step of a multi-call operation: {@code key:step}, or, if that would pass Stripe's
     * 255 characters, the SHA-256 of {@code key} in its place — deterministic either way, so a retry finds it.
     */
    static String subKey(String key, String step) throws ProviderException {
        if (key == null || key.isBlank()) {
            throw new ProviderException("no idempotency key (every Stripe POST needs one)", false, 0);
        }
        String sub = key + ":" + step;
        if (sub.length() <= MAX_IDEMPOTENCY_KEY) {
            return sub;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + HexFormat.of().formatHex(hash) + ":" + step;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String id(JsonNode object, String what) throws ProviderException {
        String id = object.path("id").asText("");
        if (id.isEmpty()) {
            throw new ProviderException("Stripe answered a " + what + " without an id", false, 0);
        }
        return id;
    }

    /** One invoice item to create: its description and amount in minor units (negative for a credit). */
    private record Item(String description, long minorUnits) {
    }
}
