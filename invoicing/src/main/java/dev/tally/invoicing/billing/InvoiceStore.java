package dev.tally.invoicing.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code invoice} table (and {@code invoiced_usage}, what each invoice invoiced per meter): the finalized documents
 * as written once, their status columns, and the reads the API and the console page through. Every statement is
 * scoped to its tenant; all run in the caller's transaction.
 */
@ApplicationScoped
public class InvoiceStore {
    @Inject
    ObjectMapper json;

    /**
     * Writes finalized documents: one {@code invoice} row each (status finalized, the document as JSON) and what each
     * invoiced per meter ({@code usage}, keyed customer id + "|" + period start). A live invoice already there for a
     * period fails the insert (unique index), rolling back the caller's transaction.
     */
    void insert(Connection c, String tenantId, List<InvoiceDocumentV1> documents, Map<String, Map<String, UsageSnapshots.Usage>> usage,
            String actor, String reissueOf, Instant now) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into invoice (invoice_id, tenant_id, customer_id, subscription_id, period_start, period_end, number, currency, total,
                  document, status, finalized_at, finalized_by, reissue_of, kind)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'finalized', ?, ?, ?, ?)""")) {
            for (InvoiceDocumentV1 content : documents) {
                ps.setString(1, content.invoiceId());
                ps.setString(2, tenantId);
                ps.setString(3, content.customerId());
                ps.setString(4, content.subscriptionId());
                ps.setTimestamp(5, Timestamp.from(content.periodStart()));
                ps.setTimestamp(6, Timestamp.from(content.periodEnd()));
                ps.setString(7, content.number());
                ps.setString(8, content.currency());
                ps.setBigDecimal(9, content.total());
                ps.setString(10, json.writeValueAsString(content));
                ps.setTimestamp(11, Timestamp.from(now));
                ps.setString(12, actor);
                ps.setString(13, reissueOf);
                ps.setString(14, content.kind());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into invoiced_usage (invoice_id, meter_key, quantity, event_count, version) values (?, ?, ?, ?, ?)""")) {
            for (InvoiceDocumentV1 content : documents) {
                for (Map.Entry<String, UsageSnapshots.Usage> u
                        : usage.getOrDefault(content.customerId() + "|" + content.periodStart(), Map.of()).entrySet()) {
                    ps.setString(1, content.invoiceId());
                    ps.setString(2, u.getKey());
                    ps.setBigDecimal(3, u.getValue().quantity());
                    ps.setLong(4, u.getValue().eventCount());
                    ps.setLong(5, u.getValue().version());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** Whether the period of the subscription has a live usage invoice. */
    public boolean periodInvoiced(Connection c, String tenantId, String subscriptionId, Instant periodStart) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select 1 from invoice where tenant_id = ? and subscription_id = ? and period_start = ? and kind = 'usage' and status <> 'void'""")) {
            ps.setString(1, tenantId);
            ps.setString(2, subscriptionId);
            ps.setTimestamp(3, Timestamp.from(periodStart));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The invoice in the tenant, or 404 (another tenant's id included). */
    public InvoiceView get(Connection c, String tenantId, String invoiceId) throws Exception {
        List<InvoiceView> found = query(c, "where tenant_id = ? and invoice_id = ?", tenantId, invoiceId);
        if (found.isEmpty()) {
            throw ProblemException.notFound("invoice-not-found", "no invoice '" + invoiceId + "' in this tenant");
        }
        return found.get(0);
    }

    /** A page of the filtered list: the page's ids are chosen first, so only its rows are read whole (a deep page stays cheap). */
    public List<InvoiceView> list(Connection c, String tenantId, InvoiceFilter filter, int offset, int limit) throws Exception {
        String order = InvoiceFilter.ORDERS.get(filter.sort());
        return query(c, "where invoice_id in (select invoice_id from invoice " + filter.where() + " order by " + order + " offset " + offset
                + " limit " + limit + ") order by " + order, filter.args(tenantId));
    }

    public long count(Connection c, String tenantId, InvoiceFilter filter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from invoice " + filter.where())) {
            Object[] args = filter.args(tenantId);
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private List<InvoiceView> query(Connection c, String where, Object... args) throws Exception {
        List<InvoiceView> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select document, status, paid_at, payment_reference, voided_at, voided_by, void_reason,"
                        + " (select coalesce(sum(n.total), 0) from credit_note n where n.tenant_id = invoice.tenant_id"
                        + "   and n.invoice_id = invoice.invoice_id and n.status = 'issued'),"
                        + " (select coalesce(sum(n.applied_to_due), 0) from credit_note n where n.tenant_id = invoice.tenant_id"
                        + "   and n.invoice_id = invoice.invoice_id and n.status = 'issued') from invoice " + where)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(InvoiceView.of(json.readValue(rs.getString(1), InvoiceDocumentV1.class), rs.getString(2), instant(rs, 3), rs.getString(4),
                            instant(rs, 5), rs.getString(6), rs.getString(7), rs.getBigDecimal(8), rs.getBigDecimal(9)));
                }
            }
        }
        return out;
    }

    /** Marks a finalized invoice paid; 409 when it changed meanwhile (another payment, a void). */
    void markPaid(Connection c, String tenantId, InvoiceView before, String reference, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update invoice set status = 'paid', paid_at = ?, payment_reference = ?
                where tenant_id = ? and invoice_id = ? and status = 'finalized'""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, reference);
            ps.setString(3, tenantId);
            ps.setString(4, before.invoiceId());
            if (ps.executeUpdate() != 1) {
                throw ProblemException.conflict("invoice-not-payable", "invoice " + before.number() + " changed meanwhile; read it again", null);
            }
        }
    }

    /** Locks the invoice's row until the transaction ends: payments, voids and credit notes of one invoice queue. */
    public void lockRow(Connection c, String tenantId, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from invoice where tenant_id = ? and invoice_id = ? for update")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            ps.executeQuery().close();
        }
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }

    /** Whether credit notes (issued or pending) stand against the invoice: they, not a void, correct it further. */
    boolean hasCreditNotes(Connection c, String tenantId, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select count(*) from credit_note where tenant_id = ? and invoice_id = ? and status <> 'rejected'")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** The numbers of the live invoices that carry adjustments of {@code before}'s period, comma-separated, or null. */
    String adjustedBy(Connection c, String tenantId, InvoiceView before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select string_agg(number, ', ' order by number) from invoice
                where tenant_id = ? and customer_id = ? and invoice_id <> ? and status <> 'void'
                  and document::jsonb -> 'adjustments' @> jsonb_build_array(jsonb_build_object('invoiceId', ?::text))""")) {
            ps.setString(1, tenantId);
            ps.setString(2, before.customerId());
            ps.setString(3, before.invoiceId());
            ps.setString(4, before.invoiceId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Marks a finalized invoice void with who and why; false when it is no longer finalized. */
    boolean markVoid(Connection c, String tenantId, String invoiceId, String reason, String actor, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update invoice set status = 'void', voided_at = ?, voided_by = ?, void_reason = ?
                where tenant_id = ? and invoice_id = ? and status = 'finalized'""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, actor);
            ps.setString(3, reason);
            ps.setString(4, tenantId);
            ps.setString(5, invoiceId);
            return ps.executeUpdate() == 1;
        }
    }
}
