package dev.tally.invoicing.billing;

import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceDocumentV1.Adjustment;
import dev.tally.model.invoice.InvoiceKind;
import dev.tally.model.terms.PeriodTerms;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/**
 * The {@code billed_usage} table: per (customer, subscription, period, line key) what live invoices bill for it so far
 * — the usage and amount of the period's own invoice, moved by every adjustment a later invoice made. Late usage is
 * priced against it ({@link LateUsageAdjustments}); a void takes its rows back. A line key is a meter's, or a term's
 * (with a colon: fixed fee, discount, true-up).
 */
final class BilledUsage {
    private BilledUsage() {
    }

    /** Whether a billed line's key is a term's (fixed fee, discount, true-up) rather than a meter's. */
    static boolean isTerm(String key) {
        return key.indexOf(':') >= 0;
    }

    /**
     * Records what these invoices billed: their periods' charged meters (replacing a voided predecessor's rows) and,
     * for every period they adjusted, the usage and amount billed for it from now on. Only a period's invoice and a
     * stand-alone adjustment invoice bill periods: purchases and progressive invoices (which the period's invoice
     * deducts) are left out.
     */
    static void record(Connection c, String tenantId, List<InvoiceDocumentV1> documents) throws SQLException {
        List<InvoiceDocumentV1> contents = documents.stream()
                .filter(d -> InvoiceKind.USAGE.is(d.kind()) || InvoiceKind.ADJUSTMENT.is(d.kind())).toList();
        recordLines(c, tenantId, contents);
        recordTermAdjustments(c, tenantId, contents);
        recordUsageAdjustments(c, tenantId, contents);
    }

    /** The periods' own lines: each usage line by its meter, each term's line (no usage) by its key. */
    private static void recordLines(Connection c, String tenantId, List<InvoiceDocumentV1> contents) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into billed_usage (tenant_id, customer_id, subscription_id, period_start, period_end, meter_key, invoice_id, plan_key,
                  plan_version, invoiced_quantity, invoiced_amount, quantity, event_count, billed_amount, recheck)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)
                on conflict (tenant_id, customer_id, subscription_id, period_start, meter_key) do update
                  set invoice_id = excluded.invoice_id, plan_key = excluded.plan_key, plan_version = excluded.plan_version,
                      invoiced_quantity = excluded.invoiced_quantity, invoiced_amount = excluded.invoiced_amount,
                      quantity = excluded.quantity, event_count = excluded.event_count, billed_amount = excluded.billed_amount,
                      period_end = excluded.period_end, recheck = false""")) {
            for (InvoiceDocumentV1 content : contents) {
                for (InvoiceDocumentV1.Line l : content.lines()) {
                    if (l.meter() != null) {
                        addLine(ps, tenantId, content, l.meter(), l.quantity(), l.eventCount(), l.amount());
                    }
                }
                for (PeriodTerms.Line t : content.terms()) {
                    addLine(ps, tenantId, content, t.key(), BigDecimal.ZERO, 0, t.amount());
                }
            }
            ps.executeBatch();
        }
    }

    private static void addLine(PreparedStatement ps, String tenantId, InvoiceDocumentV1 content, String key, BigDecimal quantity,
            long eventCount, BigDecimal amount) throws SQLException {
        ps.setString(1, tenantId);
        ps.setString(2, content.customerId());
        ps.setString(3, content.subscriptionId());
        ps.setTimestamp(4, Timestamp.from(content.periodStart()));
        ps.setTimestamp(5, Timestamp.from(content.periodEnd()));
        ps.setString(6, key);
        ps.setString(7, content.invoiceId());
        ps.setString(8, content.plan());
        ps.setInt(9, content.planVersion());
        ps.setBigDecimal(10, quantity);
        ps.setBigDecimal(11, amount);
        ps.setBigDecimal(12, quantity);
        ps.setLong(13, eventCount);
        ps.setBigDecimal(14, amount);
        ps.addBatch();
    }

    /** A term that adjusts a period may not have been billed for it before (a true-up that applies only now). */
    private static void recordTermAdjustments(Connection c, String tenantId, List<InvoiceDocumentV1> contents) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into billed_usage (tenant_id, customer_id, subscription_id, period_start, period_end, meter_key, invoice_id, plan_key,
                  plan_version, invoiced_quantity, invoiced_amount, quantity, event_count, billed_amount, recheck)
                select tenant_id, customer_id, subscription_id, period_start, period_end, ?, invoice_id, plan_key, plan_version, 0, 0, 0, 0, ?, false
                from billed_usage where tenant_id = ? and customer_id = ? and invoice_id = ? limit 1
                on conflict (tenant_id, customer_id, subscription_id, period_start, meter_key) do update
                  set billed_amount = excluded.billed_amount, recheck = false""")) {
            for (InvoiceDocumentV1 content : contents) {
                for (Adjustment a : content.adjustments()) {
                    if (!isTerm(a.meter())) {
                        continue;
                    }
                    ps.setString(1, a.meter());
                    ps.setBigDecimal(2, a.amountAfter());
                    ps.setString(3, tenantId);
                    ps.setString(4, content.customerId());
                    ps.setString(5, a.invoiceId());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** A meter's adjustment: the adjusted period is billed for the usage and amount after it. */
    private static void recordUsageAdjustments(Connection c, String tenantId, List<InvoiceDocumentV1> contents) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update billed_usage set quantity = ?, event_count = ?, billed_amount = ?, recheck = false
                where tenant_id = ? and customer_id = ? and invoice_id = ? and meter_key = ?""")) {
            for (InvoiceDocumentV1 content : contents) {
                for (Adjustment a : content.adjustments()) {
                    if (isTerm(a.meter())) {
                        continue;
                    }
                    ps.setBigDecimal(1, a.quantityAfter());
                    ps.setLong(2, a.eventCountAfter());
                    ps.setBigDecimal(3, a.amountAfter());
                    ps.setString(4, tenantId);
                    ps.setString(5, content.customerId());
                    ps.setString(6, a.invoiceId());
                    ps.setString(7, a.meter());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /**
     * A voided invoice: its period is no longer billed (a reissue bills it again), and the adjustments it carried are
     * undone — the amount each added is no longer billed, and its period is left to re-check, so the next invoice bills
     * the line as it stands then minus what is still billed.
     */
    static void forget(Connection c, String tenantId, String invoiceId, String customerId, List<Adjustment> adjustments) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from billed_usage where tenant_id = ? and invoice_id = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update billed_usage set quantity = quantity - ?, event_count = event_count - ?, billed_amount = billed_amount - ?, recheck = true
                where tenant_id = ? and customer_id = ? and invoice_id = ? and meter_key = ?""")) {
            for (Adjustment a : adjustments) {
                ps.setBigDecimal(1, a.quantityAfter().subtract(a.quantityBefore()));
                ps.setLong(2, a.eventCountAfter() - a.eventCountBefore());
                ps.setBigDecimal(3, a.amount());
                ps.setString(4, tenantId);
                ps.setString(5, customerId);
                ps.setString(6, a.invoiceId());
                ps.setString(7, a.meter());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
