package dev.tally.invoicing.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.PriceOverrideStore;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.catalog.TenantService;
import dev.tally.invoicing.tax.TaxProvider;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceGenerator;
import dev.tally.model.invoice.ProgressiveBilling;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxRate;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Progressive (threshold) billing ({@link ProgressiveBilling}): the {@code billing_threshold} table, the check that
 * issues a progressive invoice once a customer's usage charges in its open period reach its threshold above what the
 * period's progressive invoices billed — on a schedule, under the tenant's close lock so a close never misses one — and
 * the live progressive invoices a period's final invoice deducts.
 */
@ApplicationScoped
public class ProgressiveInvoices {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    PeriodPricing pricing;
    @Inject
    PriceOverrideStore overrides;
    @Inject
    TaxProvider taxes;
    @Inject
    TenantService tenants;
    @Inject
    InvoiceNumbers numbers;
    @Inject
    InvoiceStore store;
    @Inject
    Invoices invoices;
    @Inject
    Clock clock;

    /** Checks every customer with a threshold on a schedule. */
    @Scheduled(every = "${tally.progressive.check-every:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() throws SQLException {
        List<String[]> all = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select tenant_id, customer_id from billing_threshold");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        for (String[] k : all) {
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection()) {
                    check(c, k[0], k[1], clock.instant(), "threshold");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** The customer's threshold, or null. */
    public BigDecimal threshold(Connection c, String tenantId, String customerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select amount from billing_threshold where tenant_id = ? and customer_id = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }
    }

    /** Sets (amount) or removes (null) the customer's threshold. */
    public void setThreshold(Connection c, String tenantId, String customerId, BigDecimal amount) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(amount == null ? "delete from billing_threshold where tenant_id = ? and customer_id = ?"
                : "insert into billing_threshold (tenant_id, customer_id, amount) values (?, ?, ?) on conflict (tenant_id, customer_id)"
                        + " do update set amount = excluded.amount, updated_at = now()")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            if (amount != null) {
                ps.setBigDecimal(3, amount);
            }
            ps.executeUpdate();
        }
    }

    /**
     * Issues the customer's progressive invoice when its usage charges in the period containing {@code now} reached its
     * threshold above what the period's progressive invoices billed; returns it, or null. In the caller's transaction.
     */
    public InvoiceDocumentV1 check(Connection c, String tenantId, String customerId, Instant now, String actor) throws Exception {
        PeriodCloser.lock(c, tenantId);
        BigDecimal threshold = threshold(c, tenantId, customerId);
        CustomerEntity customer = CustomerEntity.findById(new CustomerEntity.Key(tenantId, customerId));
        if (threshold == null || customer == null) {
            return null;
        }
        Subscription sub = SubscriptionEntity.ofCustomer(tenantId, customerId).stream().map(SubscriptionService::load).filter(s -> s.activeAt(now))
                .findFirst().orElse(null);
        if (sub == null) {
            return null;
        }
        BillingPeriod period = sub.periodAt(now).orElseThrow();
        if (store.periodInvoiced(c, tenantId, sub.subscriptionId(), period.start())) {
            return null; // closed already (a forced close): its invoice billed the period
        }
        InvoiceGenerator.Priced priced = InvoiceGenerator.price(sub, period, customer.currency, pricing.plans(tenantId),
                overrides.ofCustomer(c, tenantId, customerId), pricing.usage(tenantId, customerId, period), RoundingPolicy.DEFAULT);
        List<ProgressiveBilling.Billed> billed = billed(c, tenantId, List.of(customerId)).getOrDefault(key(sub.subscriptionId(), period.start()),
                List.of());
        if (!ProgressiveBilling.due(ProgressiveBilling.usageToDate(priced), billed, threshold)) {
            return null;
        }
        TaxRate rate = taxes.rateFor(tenantId, customer.taxRegion, tenants.taxPoint(tenantId).at(period, now)).orElse(null);
        InvoiceDocumentV1 doc = ProgressiveBilling.document("inv_" + UUID.randomUUID().toString().replace("-", ""),
                numbers.nextNumbers(c, tenantId, now, 1).get(0), customerId, customer.externalId, sub, period, priced, billed, rate,
                RoundingPolicy.DEFAULT, now, actor);
        invoices.issue(c, tenantId, List.of(doc), actor, now);
        return doc;
    }

    /** The key of a period's progressive invoices in {@link #billed}. */
    public static String key(String subscriptionId, Instant periodStart) {
        return subscriptionId + "|" + periodStart;
    }

    /** The live progressive invoices of these customers by subscription and period ({@link #key}), in the order issued. */
    public Map<String, List<ProgressiveBilling.Billed>> billed(Connection c, String tenantId, Collection<String> customerIds) throws Exception {
        Map<String, List<ProgressiveBilling.Billed>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select subscription_id, period_start, document from invoice
                where tenant_id = ? and customer_id = any(?) and kind = 'progressive' and status <> 'void' order by finalized_at, number""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", customerIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    InvoiceDocumentV1 d = json.readValue(rs.getString(3), InvoiceDocumentV1.class);
                    out.computeIfAbsent(key(rs.getString(1), rs.getTimestamp(2).toInstant()), k -> new ArrayList<>())
                            .add(new ProgressiveBilling.Billed(d.invoiceId(), d.number(), d.subtotal()));
                }
            }
        }
        return out;
    }
}
