package dev.tally.invoicing.payment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.billing.InvoiceView;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.invoicing.payment.stripe.StripeProvider;
import dev.tally.invoicing.security.SecretsAtRest;
import dev.tally.model.messages.RefundStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.terms.RefundStatus;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.tracing.TraceContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Each tenant's payment provider and what is owed to it, in the caller's transaction: {@code offline} (the
 * default: payments and refunds are recorded by hand) or {@code stripe} (finalized invoices are pushed for
 * collection, refunds are made through Stripe, Stripe's webhooks mark invoices paid). Calls to the provider are
 * not made here: a {@code provider_job} row is written with the decision and {@link ProviderJobs} makes the call
 * after commit, under a fixed idempotency key.
 */
@ApplicationScoped
public class PaymentProviders {
    public static final String OFFLINE = "offline";
    public static final String STRIPE = "stripe";

    @Inject
    ObjectMapper json;
    @Inject
    SecretsAtRest secrets;
    @Inject
    AuditLog audit;
    @Inject
    CreditLedger ledger;

    @Inject
    InvoicingConfig config;

    private volatile StripeProvider stripe;

    /** A tenant's provider and credentials ({@code account} null for offline). */
    public record Config(String provider, PaymentProvider.Account account) {
    }

    /** The tenant's provider as the API shows it: never the secrets, only the key's last four characters. */
    @Schema(name = "PaymentProvider")
    public record View(String provider, String apiKeyHint, String webhookPath, Instant updatedAt, String updatedBy) {
    }

    /** Whether a payment reference is one Stripe gave (a payment intent), i.e. the invoice was paid through Stripe. */
    public static boolean paidThroughStripe(String paymentReference) {
        return paymentReference != null && paymentReference.startsWith("pi_");
    }

    public PaymentProvider provider(String name) {
        if (!STRIPE.equals(name)) {
            throw new IllegalArgumentException("no provider calls for '" + name + "'");
        }
        StripeProvider s = stripe;
        if (s == null) {
            s = new StripeProvider(config.stripe().apiBase(), config.stripe().timeout());
            stripe = s;
        }
        return s;
    }

    public Config config(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select provider, api_key, webhook_secret from payment_provider where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || OFFLINE.equals(rs.getString(1))) {
                    return new Config(OFFLINE, null);
                }
                return new Config(rs.getString(1), new PaymentProvider.Account(tenantId, secrets.open(rs.getString(2), apiKeyContext(tenantId)),
                        secrets.open(rs.getString(3), webhookSecretContext(tenantId))));
            }
        }
    }

    public View view(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select provider, api_key, updated_at, updated_by from payment_provider where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new View(OFFLINE, null, null, null, null);
                }
                String key = secrets.open(rs.getString(2), apiKeyContext(tenantId));
                return new View(rs.getString(1), key == null ? null : "…" + key.substring(Math.max(0, key.length() - 4)),
                        STRIPE.equals(rs.getString(1)) ? webhookPath(tenantId) : null, rs.getTimestamp(3).toInstant(), rs.getString(4));
            }
        }
    }

    /** Where a tenant's provider key is stored (its ciphertext is bound to this). */
    public static String apiKeyContext(String tenantId) {
        return SecretsAtRest.context("payment_provider", "api_key", tenantId);
    }

    public static String webhookSecretContext(String tenantId) {
        return SecretsAtRest.context("payment_provider", "webhook_secret", tenantId);
    }

    /** Where the tenant points Stripe's webhooks (signed with the webhook secret it configured). */
    public static String webhookPath(String tenantId) {
        return "/v1/payment-webhooks/stripe/" + tenantId;
    }

    /** Sets the tenant's provider (audited without its secrets). */
    public View configure(Connection c, String tenantId, String provider, String apiKey, String webhookSecret, String actor, Instant now)
            throws SQLException {
        if (!OFFLINE.equals(provider) && !STRIPE.equals(provider)) {
            throw ProblemException.badRequest("invalid-field", "provider must be 'offline' or 'stripe'", "provider");
        }
        if (STRIPE.equals(provider)) {
            if (apiKey == null || !(apiKey.startsWith("sk_") || apiKey.startsWith("rk_")) || apiKey.length() > 200) {
                throw ProblemException.badRequest("invalid-field", "apiKey must be a Stripe secret or restricted key (sk_… or rk_…)", "apiKey");
            }
            if (webhookSecret == null || !webhookSecret.startsWith("whsec_") || webhookSecret.length() > 200) {
                throw ProblemException.badRequest("invalid-field", "webhookSecret must be the endpoint's signing secret (whsec_…)", "webhookSecret");
            }
        }
        boolean stripeOn = STRIPE.equals(provider);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into payment_provider (tenant_id, provider, api_key, webhook_secret, updated_by, updated_at) values (?, ?, ?, ?, ?, ?)
                on conflict (tenant_id) do update set provider = excluded.provider, api_key = excluded.api_key,
                  webhook_secret = excluded.webhook_secret, updated_by = excluded.updated_by, updated_at = excluded.updated_at""")) {
            ps.setString(1, tenantId);
            ps.setString(2, provider);
            ps.setString(3, stripeOn ? secrets.seal(apiKey, apiKeyContext(tenantId)) : null);
            ps.setString(4, stripeOn ? secrets.seal(webhookSecret, webhookSecretContext(tenantId)) : null);
            ps.setString(5, actor);
            ps.setTimestamp(6, Timestamp.from(now));
            ps.executeUpdate();
        }
        audit.record(tenantId, actor, "payment_provider", tenantId, "configure", null, Map.of("provider", provider));
        return view(c, tenantId);
    }

    /** Finalized invoices to push to the tenant's provider (nothing for offline). */
    public void enqueuePushes(Connection c, String tenantId, List<String> invoiceIds) throws SQLException {
        Config config = config(c, tenantId);
        if (!STRIPE.equals(config.provider()) || invoiceIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into provider_job (tenant_id, provider, kind, ref_id, idempotency_key) values (?, ?, 'push_invoice', ?, ?)
                on conflict (tenant_id, kind, ref_id) do nothing""")) {
            for (String id : invoiceIds) {
                ps.setString(1, tenantId);
                ps.setString(2, config.provider());
                ps.setString(3, id);
                ps.setString(4, "tally-" + id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * After a change to an invoice that was pushed to the provider (a credit note off what is due, a void, a payment
     * recorded outside the provider): a job that brings the provider's invoice in line. Nothing for an invoice that
     * was never pushed; a pending sync is re-armed.
     */
    public void enqueueSync(Connection c, String tenantId, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into provider_job (tenant_id, provider, kind, ref_id, idempotency_key)
                select tenant_id, provider, 'sync_invoice', ref_id, 'tally-sync-' || ref_id from provider_job
                where tenant_id = ? and kind = 'push_invoice' and ref_id = ?
                on conflict (tenant_id, kind, ref_id) do update set status = 'pending', attempts = 0, next_attempt_at = now(),
                  last_error = null, done_at = null, revision = provider_job.revision + 1""")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            ps.executeUpdate();
        }
    }

    /**
     * A refund of {@code amount} of what the customer paid for {@code invoice}, for credit note {@code creditNoteId}:
     * through the provider the invoice was paid with (a Stripe payment intent: a job), else pending until recorded by
     * hand (offline). Returns the refund id.
     */
    public String startRefund(Connection c, String tenantId, InvoiceView invoice, String creditNoteId, BigDecimal amount, String reason,
            Instant now) throws Exception {
        Config tenantConfig = config(c, tenantId);
        boolean byStripe = STRIPE.equals(tenantConfig.provider()) && paidThroughStripe(invoice.paymentReference());
        Config config = byStripe ? tenantConfig : new Config(OFFLINE, null);
        String refundId = "rf_" + UUID.randomUUID().toString().replace("-", "");
        try (PreparedStatement ps = c.prepareStatement("""
                insert into refund (refund_id, tenant_id, customer_id, invoice_id, credit_note_id, currency, amount, provider, status, created_at,
                  updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)""")) {
            ps.setString(1, refundId);
            ps.setString(2, tenantId);
            ps.setString(3, invoice.customerId());
            ps.setString(4, invoice.invoiceId());
            ps.setString(5, creditNoteId);
            ps.setString(6, invoice.currency());
            ps.setBigDecimal(7, amount);
            ps.setString(8, config.provider());
            ps.setTimestamp(9, Timestamp.from(now));
            ps.setTimestamp(10, Timestamp.from(now));
            ps.executeUpdate();
        }
        if (STRIPE.equals(config.provider())) {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into provider_job (tenant_id, provider, kind, ref_id, idempotency_key) values (?, ?, 'refund', ?, ?)""")) {
                ps.setString(1, tenantId);
                ps.setString(2, config.provider());
                ps.setString(3, refundId);
                ps.setString(4, "tally-" + refundId);
                ps.executeUpdate();
            }
        }
        announceRefund(c, tenantId, refundId, now);
        return refundId;
    }

    /** A refund as the API shows it. */
    public record Refund(String refundId, String customerId, String invoiceId, String creditNoteId, String currency, BigDecimal amount,
            String provider, String status, String providerRefundId, String failure, String creditedGrantId, Instant createdAt,
            Instant updatedAt) {
    }

    public Refund refund(Connection c, String tenantId, String refundId) throws SQLException {
        List<Refund> r = refunds(c, "tenant_id = ? and refund_id = ?", tenantId, refundId);
        if (r.isEmpty()) {
            throw ProblemException.notFound("refund-not-found", "no refund '" + refundId + "' in this tenant");
        }
        return r.get(0);
    }

    public List<Refund> refunds(Connection c, String where, Object... args) throws SQLException {
        List<Refund> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select refund_id, customer_id, invoice_id, credit_note_id, currency, amount, provider, status, provider_refund_id, failure,
                  credited_grant_id, created_at, updated_at from refund where """ + " " + where + " order by created_at, refund_id limit 1000")) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Refund(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getBigDecimal(6),
                            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            rs.getTimestamp(12).toInstant(), rs.getTimestamp(13).toInstant()));
                }
            }
        }
        return out;
    }

    /**
     * Moves a pending refund to {@code succeeded} or {@code failed} (or keeps it pending with the provider's id),
     * with an outbox event and an audit entry; a refund that already ended does not move again (false).
     */
    public boolean settleRefund(Connection c, String tenantId, String refundId, RefundStatus status, String providerRefundId, String failure,
            String actor, Instant now) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                update refund set status = ?, provider_refund_id = coalesce(?, provider_refund_id), failure = ?, updated_at = ?
                where tenant_id = ? and refund_id = ? and status = 'pending'""")) {
            ps.setString(1, status.wire());
            ps.setString(2, providerRefundId);
            ps.setString(3, failure);
            ps.setTimestamp(4, Timestamp.from(now));
            ps.setString(5, tenantId);
            ps.setString(6, refundId);
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        if (status == RefundStatus.FAILED) {
            // the money did not go back: it is not lost — the customer gets it as prepaid credit
            Refund r = refund(c, tenantId, refundId);
            String grant = ledger.grant(c, tenantId, r.customerId(), r.currency(), r.amount(), 0, now, null,
                    "refund " + refundId + " failed (" + (failure == null ? "the provider refused it" : failure) + "): credited back", actor);
            try (PreparedStatement ps = c.prepareStatement("update refund set credited_grant_id = ? where tenant_id = ? and refund_id = ?")) {
                ps.setString(1, grant);
                ps.setString(2, tenantId);
                ps.setString(3, refundId);
                ps.executeUpdate();
            }
        }
        if (status != RefundStatus.PENDING) {
            announceRefund(c, tenantId, refundId, now);
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("status", status.wire());
            if (providerRefundId != null) {
                after.put("providerRefundId", providerRefundId);
            }
            if (failure != null) {
                after.put("failure", failure);
            }
            audit.record(tenantId, actor, "refund", refundId, "refund-" + status.wire(), Map.of("status", RefundStatus.PENDING.wire()), after);
        }
        return true;
    }

    private void announceRefund(Connection c, String tenantId, String refundId, Instant now) throws Exception {
        Refund r = refund(c, tenantId, refundId);
        RefundStatusV1 e = new RefundStatusV1(tenantId, r.customerId(), r.refundId(), r.creditNoteId(), r.invoiceId(), r.currency(), r.amount(),
                r.provider(), r.status(), r.providerRefundId(), r.failure(), now);
        Outbox.append(c, Topics.INVOICES, RefundStatusV1.SCHEMA, List.of(new OutboxRecord(tenantId + "/" + r.customerId(),
                json.writeValueAsString(e), TraceContext.current())));
    }
}
