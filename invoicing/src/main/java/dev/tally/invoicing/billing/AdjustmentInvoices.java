package dev.tally.invoicing.billing;

import dev.tally.invoicing.tax.TaxProvider;
import dev.tally.model.invoice.AdjustmentInvoice;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceDocumentV1.Adjustment;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.tax.TaxRate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Stand-alone adjustment invoices ({@link AdjustmentInvoice}): late usage or a retraction of a customer that has no
 * period left to close — every subscription ended and its last period invoiced — is billed (or credited) on its own
 * invoice, priced exactly as a next close would price it ({@link LateUsageAdjustments}). A customer is billed once its
 * changed usage has been quiet until the cutoff (the closer's: the watermark less the tenant's close grace), so a burst
 * of late events makes one invoice, not one per event. Runs in the closer's transaction, under the tenant's close lock.
 */
@ApplicationScoped
public class AdjustmentInvoices {
    /**
     * SQL, true when customer {@code c} has a period left to close: a subscription open-ended, or ending after what its
     * live usage invoices reach (or after its start, with none). The one definition the closer and reconciliation share.
     */
    public static final String PERIOD_LEFT = """
            exists (select 1 from subscription s where s.tenant_id = c.tenant_id and s.customer_id = c.customer_id
              and (s.end_at is null or s.end_at > coalesce((select max(i.period_end) from invoice i where i.tenant_id = s.tenant_id
                and i.subscription_id = s.subscription_id and i.status <> 'void' and i.kind = 'usage'), s.start_at)))""";

    /** Later than any period's start: every finalized period of the customer is looked at. */
    private static final Instant EVERY_PERIOD = Instant.parse("9999-01-01T00:00:00Z");

    @Inject
    LateUsageAdjustments lateUsage;
    @Inject
    InvoiceNumbers numbers;
    @Inject
    TaxProvider taxes;
    @Inject
    Invoices invoices;

    /** Issues the adjustment invoices of the tenant's stranded customers whose changed usage arrived by {@code cutoff}; returns them. */
    public List<InvoiceDocumentV1> billStranded(Connection c, String tenantId, Instant cutoff, String actor, Instant now) throws Exception {
        Map<String, Invoices.Customer> due = quiet(c, tenantId, stranded(c, tenantId, now), cutoff);
        if (due.isEmpty()) {
            return List.of();
        }
        Map<String, Instant> every = new HashMap<>();
        due.keySet().forEach(id -> every.put(id, EVERY_PERIOD));
        Map<String, List<Adjustment>> adjustments = lateUsage.adjustments(c, tenantId, every, due, true);
        List<String> customers = due.keySet().stream().filter(id -> !adjustments.getOrDefault(id, List.of()).isEmpty()).sorted().toList();
        if (customers.isEmpty()) {
            return List.of();
        }
        List<String> drawn = numbers.nextNumbers(c, tenantId, now, customers.size());
        Map<String, String> latest = new HashMap<>(); // customer → the invoice of its latest adjusted period
        customers.forEach(id -> latest.put(id, adjustments.get(id).stream().max(Comparator.comparing(Adjustment::periodStart)).orElseThrow()
                .invoiceId()));
        Map<String, String> subscriptions = subscriptionsOf(c, tenantId, latest.values());
        List<InvoiceDocumentV1> docs = new ArrayList<>();
        for (int i = 0; i < customers.size(); i++) {
            Invoices.Customer customer = due.get(customers.get(i));
            TaxRate rate = taxes.rateFor(tenantId, customer.taxRegion(), now).orElse(null); // the tax point: when it is issued
            docs.add(AdjustmentInvoice.document("inv_" + UUID.randomUUID().toString().replace("-", ""), drawn.get(i), customer.customerId(),
                    customer.externalId(), customer.currency(), subscriptions.get(latest.get(customer.customerId())),
                    adjustments.get(customer.customerId()), rate, RoundingPolicy.DEFAULT, now, actor));
        }
        invoices.issue(c, tenantId, docs, actor, now);
        return docs;
    }

    /**
     * The tenant's customers with no period left to close: each of their subscriptions has ended by {@code now} and a
     * live usage invoice reaches its end — as reconciliation judges it. Customers with an ended subscription are found
     * first (a partial index), so a tenant of open-ended subscriptions costs one index probe, not a look at each customer.
     */
    private static Map<String, Invoices.Customer> stranded(Connection c, String tenantId, Instant now) throws SQLException {
        Map<String, Invoices.Customer> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                with ended as materialized (select distinct s.customer_id from subscription s
                    where s.tenant_id = ? and s.end_at is not null and s.end_at <= ?)
                select c.customer_id, c.external_id, c.currency, c.tax_region from ended e
                join customer c on c.tenant_id = ? and c.customer_id = e.customer_id
                where not\s""" + PERIOD_LEFT)) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Invoices.Customer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /**
     * Those of {@code candidates} whose billed usage differs from their stored usage (or that a void left to re-check),
     * and whose usage snapshots of the differing periods all arrived by {@code cutoff}.
     */
    private static Map<String, Invoices.Customer> quiet(Connection c, String tenantId, Map<String, Invoices.Customer> candidates, Instant cutoff)
            throws SQLException {
        Map<String, Invoices.Customer> out = new LinkedHashMap<>();
        if (candidates.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                with k as (select unnest(?::text[]) as customer_id),
                s as (select u.customer_id, u.period_start, u.meter_key, sum(u.quantity) as quantity, max(u.received_at) as received_at
                      from usage_snapshot u join k on u.customer_id = k.customer_id where u.tenant_id = ? group by 1, 2, 3)
                select b.customer_id, max(s.received_at) from billed_usage b
                join k on b.customer_id = k.customer_id
                left join s on s.customer_id = b.customer_id and s.period_start = b.period_start and s.meter_key = b.meter_key
                where b.tenant_id = ? and strpos(b.meter_key, ':') = 0 and (coalesce(s.quantity, 0) <> b.quantity or b.recheck)
                group by b.customer_id""")) {
            ps.setArray(1, c.createArrayOf("text", candidates.keySet().toArray()));
            ps.setString(2, tenantId);
            ps.setString(3, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp last = rs.getTimestamp(2);
                    if (last == null || !last.toInstant().isAfter(cutoff)) {
                        out.put(rs.getString(1), candidates.get(rs.getString(1)));
                    }
                }
            }
        }
        return out;
    }

    /** The subscription of each of these invoices, by invoice id: one query. */
    private static Map<String, String> subscriptionsOf(Connection c, String tenantId, Collection<String> invoiceIds) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select invoice_id, subscription_id from invoice where tenant_id = ? and invoice_id = any(?)")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", invoiceIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }
}
