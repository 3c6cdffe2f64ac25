package dev.tally.invoicing.payment;

import dev.tally.invoicing.billing.InvoiceStore;
import dev.tally.invoicing.billing.InvoiceView;
import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.PeriodTerms;
import dev.tally.model.terms.RefundStatus;
import dev.tally.model.webhook.Backoff;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Makes the calls that {@code provider_job} rows stand for, after the transactions that decided them have
 * committed: a job is leased (so a crashed instance's job is taken up again after the lease), the call is made
 * with the job's fixed idempotency key (so a call repeated after a crash or a lost answer is not acted on twice
 * by the provider), and its outcome recorded. Retryable failures back off (1 s, 2 s, 4 s … at most an hour) and
 * are given up after {@link Backoff#MAX_ATTEMPTS}; a refused request fails at once (its refund with it).
 */
@ApplicationScoped
public class ProviderJobs {
    private static final Logger LOG = Logger.getLogger(ProviderJobs.class);
    static final int BATCH = 20;
    static final Duration LEASE = Duration.ofSeconds(120);

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    PaymentProviders providers;
    @Inject
    Invoices invoices;
    @Inject
    InvoiceStore invoiceStore;
    @Inject
    UsageExport usageExport;

    record Job(long jobId, String tenantId, String provider, ProviderJobKind kind, String refId, String idempotencyKey, int attempts, int revision) {
    }

    @Scheduled(every = "${tally.payments.dispatch-every:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            while (runOnce() == BATCH) {
                // a full batch: there may be more due
            }
        } catch (Exception e) {
            LOG.warnf("provider jobs failed, retrying next round: %s", e.getMessage());
        }
    }

    /** Runs one batch of due jobs; returns how many it ran. */
    public int runOnce() throws Exception {
        List<Job> jobs = claim();
        for (Job j : jobs) {
            try {
                switch (j.kind()) {
                    case PUSH_INVOICE -> push(j);
                    case REFUND -> refund(j);
                    case SYNC_INVOICE -> sync(j);
                    case EXPORT_USAGE -> usageExport.run(j, this::customerRef);
                }
                finish(j, ProviderJobStatus.DONE, null);
            } catch (ProviderException e) {
                fail(j, e.retryable(), "HTTP " + e.status() + ": " + e.getMessage());
            } catch (Exception e) {
                fail(j, true, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }
        return jobs.size();
    }

    private void push(Job j) throws Exception {
        PaymentProvider.Account account;
        InvoiceView invoice;
        String customerRef;
        try (Connection c = dataSource.getConnection()) {
            account = providers.config(c, j.tenantId()).account();
            invoice = invoiceStore.get(c, j.tenantId(), j.refId());
            customerRef = ref(c, j.tenantId(), j.provider(), "customer", invoice.customerId());
        }
        if (account == null) {
            throw new ProviderException("the tenant's provider is no longer " + j.provider(), false, 0);
        }
        if (InvoiceStatus.VOID.is(invoice.status()) || invoice.balanceDue().signum() == 0) {
            return; // nothing to collect (void, paid meanwhile, or all covered by prepaid credit and credit notes)
        }
        PaymentProvider provider = providers.provider(j.provider());
        if (customerRef == null) {
            customerRef = customerRef(j, account, provider, invoice.customerId());
        }
        List<PaymentProvider.Line> lines = new ArrayList<>();
        for (InvoiceDocumentV1.Line l : invoice.lines()) {
            lines.add(new PaymentProvider.Line(l.description(), l.amount()));
        }
        for (PeriodTerms.Line t : invoice.terms()) {
            lines.add(new PaymentProvider.Line(t.description(), t.amount()));
        }
        for (InvoiceDocumentV1.Adjustment a : invoice.adjustments()) {
            lines.add(new PaymentProvider.Line(a.description() + " (adjusting " + a.invoiceNumber() + ")", a.amount()));
        }
        if (invoice.tax() != null && !invoice.tax().inclusive()) {
            lines.add(new PaymentProvider.Line(invoice.tax().name() + " " + invoice.tax().ratePercent().stripTrailingZeros().toPlainString() + " %",
                    invoice.tax().tax()));
        }
        String pushed = provider.pushInvoice(account, customerRef, new PaymentProvider.InvoiceDoc(invoice.invoiceId(), invoice.number(),
                invoice.currency(), lines, invoice.total(), invoice.balanceDue(), invoice.periodStart(), invoice.periodEnd()), j.idempotencyKey());
        saveRef(j, "invoice", invoice.invoiceId(), pushed);
    }

    private void refund(Job j) throws Exception {
        PaymentProvider.Account account;
        PaymentProviders.Refund r;
        InvoiceView invoice;
        String providerInvoice;
        try (Connection c = dataSource.getConnection()) {
            account = providers.config(c, j.tenantId()).account();
            r = providers.refund(c, j.tenantId(), j.refId());
            invoice = invoiceStore.get(c, j.tenantId(), r.invoiceId());
            providerInvoice = ref(c, j.tenantId(), j.provider(), "invoice", r.invoiceId());
        }
        if (!RefundStatus.PENDING.is(r.status())) {
            return;
        }
        if (account == null) {
            throw new ProviderException("the tenant's provider is no longer " + j.provider(), false, 0);
        }
        if (invoice.paymentReference() == null || invoice.paymentReference().startsWith(Invoices.SETTLED_BY_CREDIT_NOTES)) {
            throw new ProviderException("invoice " + invoice.number() + " has no payment at the provider to refund", false, 0);
        }
        PaymentProvider provider = providers.provider(j.provider());
        PaymentProvider.RefundResult result = null;
        if (j.attempts() > 0) {
            // an earlier attempt's error does not mean the provider did nothing (Stripe keeps a 500 under its key and
            // replays it): look for the refund first, and try again under a new key only when there is none
            result = provider.findRefund(account, invoice.paymentReference(), r.currency(), r.refundId());
        }
        if (result == null) {
            result = provider.refund(account, new PaymentProvider.RefundRequest(r.refundId(), r.invoiceId(), providerInvoice,
                    invoice.paymentReference(), r.currency(), r.amount(), "credit note " + r.creditNoteId()),
                    j.attempts() == 0 ? j.idempotencyKey() : j.idempotencyKey() + ":attempt-" + j.attempts());
        }
        PaymentProvider.RefundResult settled = result;
        QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return providers.settleRefund(c, j.tenantId(), r.refundId(), settled.status(), settled.providerRefundId(),
                        settled.status() == RefundStatus.FAILED ? "the provider reports the refund failed" : null, "provider:" + j.provider(),
                        clock.instant());
            }
        });
    }

    /**
     * Brings the provider's copy of a pushed invoice in line with Tally's, from both as they are now (so it can run
     * any number of times): void there when void here or settled by credit notes; paid outside the provider when
     * paid here otherwise; a credit note there for what credit notes here took off what is due.
     */
    private void sync(Job j) throws Exception {
        PaymentProvider.Account account;
        InvoiceView invoice;
        String pushed;
        ProviderJobs.State push;
        try (Connection c = dataSource.getConnection()) {
            account = providers.config(c, j.tenantId()).account();
            invoice = invoiceStore.get(c, j.tenantId(), j.refId());
            pushed = ref(c, j.tenantId(), j.provider(), "invoice", invoice.invoiceId());
        }
        push = state(j.tenantId(), ProviderJobKind.PUSH_INVOICE, invoice.invoiceId());
        if (pushed == null) {
            if (push != null && push.status() == ProviderJobStatus.PENDING) {
                throw new ProviderException("invoice " + invoice.number() + " is not pushed yet; syncing after the push", true, 0);
            }
            return; // never pushed (nothing was due, or the push failed): nothing at the provider to change
        }
        if (account == null) {
            throw new ProviderException("the tenant's provider is no longer " + j.provider(), false, 0);
        }
        PaymentProvider provider = providers.provider(j.provider());
        PaymentProvider.ProviderInvoice there = provider.invoice(account, pushed, invoice.currency());
        if (!"open".equals(there.status()) && !"draft".equals(there.status())) {
            if (InvoiceStatus.PAID.is(there.status()) && (InvoiceStatus.VOID.is(invoice.status()) || invoice.balanceDue().signum() == 0
                    && !InvoiceStatus.PAID.is(invoice.status()))) {
                throw new ProviderException("Stripe invoice " + pushed + " was paid but Tally invoice " + invoice.number() + " is "
                        + invoice.status() + " with " + invoice.balanceDue() + " due: refund or credit it by hand", false, 0);
            }
            return; // already paid, void or uncollectible there
        }
        String key = "tally-sync-" + invoice.invoiceId();
        boolean settledHere = InvoiceStatus.VOID.is(invoice.status())
                || invoice.paymentReference() != null && invoice.paymentReference().startsWith(Invoices.SETTLED_BY_CREDIT_NOTES);
        if (settledHere) {
            provider.voidInvoice(account, pushed, key + ":void");
        } else if (InvoiceStatus.PAID.is(invoice.status())) {
            if (!PaymentProviders.paidThroughStripe(invoice.paymentReference())) {
                provider.markPaidOutOfBand(account, pushed, key + ":paid-out-of-band");
            }
        } else {
            int diff = there.amountDue().compareTo(invoice.balanceDue());
            if (diff > 0) {
                provider.creditInvoice(account, pushed, invoice.currency(), there.amountDue().subtract(invoice.balanceDue()),
                        "Tally credit notes on " + invoice.number(), key + ":credit-to-" + invoice.balanceDue().toPlainString());
            } else if (diff < 0) {
                throw new ProviderException("Stripe invoice " + pushed + " asks " + there.amountDue() + " but Tally invoice " + invoice.number()
                        + " has " + invoice.balanceDue() + " due: reconcile by hand", false, 0);
            }
        }
    }

    /** The customer's id at the provider, creating the customer there the first time (one idempotency key per customer). */
    private String customerRef(Job j, PaymentProvider.Account account, PaymentProvider provider, String customerId) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            String known = ref(c, j.tenantId(), j.provider(), "customer", customerId);
            if (known != null) {
                return known;
            }
        }
        CustomerEntity customer = QuarkusTransaction.requiringNew().call(() -> CustomerEntity.findById(new CustomerEntity.Key(j.tenantId(), customerId)));
        if (customer == null) {
            throw new ProviderException("no customer " + customerId + " in this tenant", false, 0);
        }
        String created = provider.syncCustomer(account, new PaymentProvider.CustomerRef(customer.customerId, customer.externalId, customer.name,
                customer.billingEmail), "tally-" + customer.customerId);
        saveRef(j, "customer", customerId, created);
        return created;
    }

    private static String ref(Connection c, String tenantId, String provider, String kind, String tallyId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select provider_id from provider_ref where tenant_id = ? and provider = ? and kind = ? and tally_id = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, provider);
            ps.setString(3, kind);
            ps.setString(4, tallyId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private void saveRef(Job j, String kind, String tallyId, String providerId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into provider_ref (tenant_id, provider, kind, tally_id, provider_id) values (?, ?, ?, ?, ?)
                     on conflict do nothing""")) {
            ps.setString(1, j.tenantId());
            ps.setString(2, j.provider());
            ps.setString(3, kind);
            ps.setString(4, tallyId);
            ps.setString(5, providerId);
            ps.executeUpdate();
        }
    }

    private List<Job> claim() throws Exception {
        List<Job> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    with due as (
                      select job_id from provider_job where status = 'pending' and next_attempt_at <= now()
                      order by next_attempt_at limit ? for update skip locked)
                    update provider_job j set next_attempt_at = now() + ?::interval from due where j.job_id = due.job_id
                    returning j.job_id, j.tenant_id, j.provider, j.kind, j.ref_id, j.idempotency_key, j.attempts, j.revision""")) {
                ps.setInt(1, BATCH);
                ps.setString(2, LEASE.toSeconds() + " seconds");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Job(rs.getLong(1), rs.getString(2), rs.getString(3), ProviderJobKind.of(rs.getString(4)), rs.getString(5), rs.getString(6),
                                rs.getInt(7), rs.getInt(8)));
                    }
                }
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        return out;
    }

    private void finish(Job j, ProviderJobStatus status, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update provider_job set status = ?, attempts = attempts + 1, last_error = ?, done_at = now()
                     where job_id = ? and attempts = ? and revision = ? and status = 'pending'""")) {
            ps.setString(1, status.wire());
            ps.setString(2, error);
            ps.setLong(3, j.jobId());
            ps.setInt(4, j.attempts());
            ps.setInt(5, j.revision());
            ps.executeUpdate();
        }
    }

    private void fail(Job j, boolean retryable, String error) throws Exception {
        int attempts = j.attempts() + 1;
        boolean givenUp = !retryable || attempts >= Backoff.MAX_ATTEMPTS;
        if (givenUp) {
            LOG.warnf("provider job %d (%s %s) failed for good after %d attempts: %s", j.jobId(), j.kind().wire(), j.refId(), attempts, error);
            finish(j, ProviderJobStatus.FAILED, error);
            if (j.kind() == ProviderJobKind.REFUND) {
                QuarkusTransaction.requiringNew().call(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        return providers.settleRefund(c, j.tenantId(), j.refId(), RefundStatus.FAILED, null, error, "provider:" + j.provider(), clock.instant());
                    }
                });
            }
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update provider_job set attempts = ?, last_error = ?, next_attempt_at = ?
                     where job_id = ? and attempts = ? and revision = ? and status = 'pending'""")) {
            ps.setInt(1, attempts);
            ps.setString(2, error);
            ps.setTimestamp(3, Timestamp.from(clock.instant().plus(Backoff.after(attempts))));
            ps.setLong(4, j.jobId());
            ps.setInt(5, j.attempts());
            ps.setInt(6, j.revision());
            ps.executeUpdate();
        }
    }

    /** For tests and operators: a job's state. */
    public record State(ProviderJobStatus status, int attempts, String lastError) {
    }

    public State state(String tenantId, ProviderJobKind kind, String refId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select status, attempts, last_error from provider_job where tenant_id = ? and kind = ? and ref_id = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, kind.wire());
            ps.setString(3, refId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new State(ProviderJobStatus.of(rs.getString(1)), rs.getInt(2), rs.getString(3)) : null;
            }
        }
    }

    /** Makes every pending job due now (tests skip the backoff). */
    public void dueNow(String tenantId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update provider_job set next_attempt_at = now() where tenant_id = ? and status = 'pending'")) {
            ps.setString(1, tenantId);
            ps.executeUpdate();
        }
    }

}
