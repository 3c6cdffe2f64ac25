package dev.tally.invoicing.refund;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.billing.InvoiceNumbers;
import dev.tally.invoicing.billing.InvoiceStore;
import dev.tally.invoicing.billing.InvoiceView;
import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.messages.CreditNoteIssuedV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.terms.CreditNoteStatus;
import dev.tally.model.terms.CreditNotes;
import dev.tally.model.terms.PeriodTerms;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Credit notes against finalized (or paid) invoices, in the caller's transaction: computed by shared-model's
 * {@link CreditNotes} from the invoice's lines and what earlier notes took, then either issued at once (a
 * number in the tenant's CN series, settled against what is due, refunded, or credited back) or — for a note a
 * rule created above the tenant's threshold — left pending until finance approves or rejects it.
 */
@ApplicationScoped
public class CreditNoteService {
    /** Where a note comes from: by hand, or a rule (which waits for approval above the tenant's threshold). */
    public static final String MANUAL = "manual";
    public static final String RULE_SLA = "rule:sla";
    public static final String RULE_RECONCILIATION = "rule:reconciliation";

    @Inject
    ObjectMapper json;
    @Inject
    Invoices invoices;
    @Inject
    InvoiceNumbers invoiceNumbers;
    @Inject
    InvoiceStore invoiceStore;
    @Inject
    AuditLog audit;
    @Inject
    CreditLedger ledger;
    @Inject
    PaymentProviders providers;

    /** The content of a note, as stored (its document) and shown. */
    public record Document(String creditNoteId, String invoiceId, String invoiceNumber, String customerId, String currency,
            List<CreditNotes.Line> lines, BigDecimal subtotal, BigDecimal tax, BigDecimal total, String taxExplanation, String reason,
            String source, String settleTo, String createdBy, Instant createdAt) {
    }

    /** A note as the API shows it. {@code refundId}: the refund it started, if any. */
    @Schema(name = "CreditNote")
    public record View(String creditNoteId, String number, String status, String invoiceId, String invoiceNumber, String customerId,
            String currency, List<CreditNotes.Line> lines, BigDecimal subtotal, BigDecimal tax, BigDecimal total, String taxExplanation,
            String reason, String source, String settleTo, BigDecimal appliedToDue, BigDecimal refunded, BigDecimal credited, String refundId,
            String createdBy, Instant createdAt, String decidedBy, Instant decidedAt, String decisionNote, Instant issuedAt) {
    }

    /**
     * Creates a note on {@code invoiceId}: {@code lines} null credits everything left (a full note); keys are
     * {@code line:<meter>} and {@code adjustment:<invoiceId>:<meter>}. {@code settleTo}: {@code refund} (default) or
     * {@code credit} — what of the total is not taken off the amount due. Notes from a rule, and manual notes that
     * {@code needsFinance} (an admin user without the finance role proposed them in the console), wait for a finance
     * approval when their total is above the tenant's threshold; other manual notes (a tenant's own API key) are issued
     * at once.
     */
    public View create(Connection c, String tenantId, String invoiceId, List<CreditNotes.Requested> lines, String reason, String settleTo,
            String source, boolean needsFinance, String actor, Instant now) throws Exception {
        if (reason == null || reason.isBlank() || reason.length() > 1000) {
            throw ProblemException.badRequest("invalid-field", "a credit note needs a reason (at most 1000 characters)", "reason");
        }
        String settle = settleTo == null ? "refund" : settleTo;
        if (!settle.equals("refund") && !settle.equals("credit")) {
            throw ProblemException.badRequest("invalid-field", "settleTo must be 'refund' or 'credit'", "settleTo");
        }
        InvoiceView invoice = lockInvoice(c, tenantId, invoiceId);
        if (InvoiceStatus.VOID.is(invoice.status())) {
            throw ProblemException.conflict("invoice-void", "invoice " + invoice.number() + " is void; there is nothing to credit", null);
        }
        CreditNotes.Computed computed;
        try {
            computed = CreditNotes.compute(creditable(c, tenantId, invoice), lines, RoundingPolicy.DEFAULT);
        } catch (CreditNotes.Refused e) {
            throw ProblemException.unprocessable("credit-refused", e.getMessage(), e.field());
        }
        boolean waits = (needsFinance || !MANUAL.equals(source)) && needsApproval(c, tenantId, computed.total());
        String id = "cn_" + UUID.randomUUID().toString().replace("-", "");
        Document doc = new Document(id, invoice.invoiceId(), invoice.number(), invoice.customerId(), invoice.currency(), computed.lines(),
                computed.subtotal(), computed.tax(), computed.total(), computed.taxExplanation(), reason, source, settle, actor, now);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into credit_note (credit_note_id, tenant_id, invoice_id, customer_id, currency, subtotal, tax, total, document, reason,
                  source, settle_to, status, created_by, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending_approval', ?, ?)""")) {
            ps.setString(1, id);
            ps.setString(2, tenantId);
            ps.setString(3, invoice.invoiceId());
            ps.setString(4, invoice.customerId());
            ps.setString(5, invoice.currency());
            ps.setBigDecimal(6, computed.subtotal());
            ps.setBigDecimal(7, computed.tax());
            ps.setBigDecimal(8, computed.total());
            ps.setString(9, json.writeValueAsString(doc));
            ps.setString(10, reason);
            ps.setString(11, source);
            ps.setString(12, settle);
            ps.setString(13, actor);
            ps.setTimestamp(14, Timestamp.from(now));
            ps.executeUpdate();
        }
        if (waits) {
            audit.record(tenantId, actor, "credit_note", id, "propose", null, Map.of("invoice", invoice.number(), "total",
                    computed.total().toPlainString(), "currency", invoice.currency(), "source", source, "reason", reason));
            return get(c, tenantId, id);
        }
        return issue(c, tenantId, id, invoice, actor, null, now);
    }

    /** Finance approves a pending note: it is issued and settled now, against the invoice as it stands now. */
    public View approve(Connection c, String tenantId, String creditNoteId, String actor, String note, Instant now) throws Exception {
        View pending = get(c, tenantId, creditNoteId);
        if (actor.equals(pending.createdBy())) {
            // four eyes: whoever proposed money going out does not also approve it
            throw ProblemException.forbidden(actor + " proposed credit note " + creditNoteId + " and cannot also approve it");
        }
        InvoiceView invoice = lockInvoice(c, tenantId, pending.invoiceId());
        requirePending(get(c, tenantId, creditNoteId));
        if (InvoiceStatus.VOID.is(invoice.status())) {
            throw ProblemException.conflict("invoice-void", "invoice " + invoice.number() + " was voided meanwhile; reject this note", null);
        }
        return issue(c, tenantId, creditNoteId, invoice, actor, note, now);
    }

    /** Finance rejects a pending note: nothing is credited, and its amounts are free on the invoice again. */
    public View reject(Connection c, String tenantId, String creditNoteId, String actor, String note, Instant now) throws Exception {
        if (note == null || note.isBlank() || note.length() > 1000) {
            throw ProblemException.badRequest("invalid-field", "a rejection needs a note (at most 1000 characters)", "note");
        }
        View pending = get(c, tenantId, creditNoteId);
        lockInvoice(c, tenantId, pending.invoiceId());
        requirePending(get(c, tenantId, creditNoteId));
        try (PreparedStatement ps = c.prepareStatement("""
                update credit_note set status = 'rejected', decided_by = ?, decided_at = ?, decision_note = ?
                where tenant_id = ? and credit_note_id = ? and status = 'pending_approval'""")) {
            ps.setString(1, actor);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, note);
            ps.setString(4, tenantId);
            ps.setString(5, creditNoteId);
            ps.executeUpdate();
        }
        audit.record(tenantId, actor, "credit_note", creditNoteId, "reject", Map.of("status", CreditNoteStatus.PENDING_APPROVAL.wire()),
                Map.of("status", CreditNoteStatus.REJECTED.wire(), "note", note));
        return get(c, tenantId, creditNoteId);
    }

    private static void requirePending(View v) {
        if (!CreditNoteStatus.PENDING_APPROVAL.is(v.status())) {
            throw ProblemException.conflict("credit-note-decided", "credit note " + v.creditNoteId() + " is " + v.status()
                    + "; only a pending note is approved or rejected", null);
        }
    }

    /** Numbers, settles and announces a note (pending in the table until here). */
    private View issue(Connection c, String tenantId, String id, InvoiceView invoice, String actor, String decisionNote, Instant now)
            throws Exception {
        View note = get(c, tenantId, id);
        Paid paid = paid(c, tenantId, invoice);
        CreditNotes.Settled raw = CreditNotes.settle(note.total(), paid.stillDue(), paid.refundable(), "credit".equals(note.settleTo()));
        CreditNotes.Settled settled = new CreditNotes.Settled(minor(raw.appliedToDue(), invoice.currency()), minor(raw.refunded(),
                invoice.currency()), minor(raw.credited(), invoice.currency()));
        String number = invoiceNumbers.nextNumbers(c, tenantId, now, 1, "CN", "CN-").get(0);
        markIssued(c, tenantId, note, number, settled, actor, decisionNote, now);
        String what = "credit note " + number + " (invoice " + invoice.number() + "): " + note.reason();
        if (settled.appliedToDue().signum() > 0 && settled.appliedToDue().compareTo(paid.stillDue()) == 0) {
            // nothing is due any more: the invoice is settled by its credit notes
            invoices.settleByCreditNotes(c, tenantId, invoice.invoiceId(), number, actor, now);
        }
        if (settled.appliedToDue().signum() > 0) {
            providers.enqueueSync(c, tenantId, invoice.invoiceId()); // a pushed invoice asks the provider for less now
        }
        String refundId = null;
        if (settled.refunded().signum() > 0) {
            refundId = providers.startRefund(c, tenantId, invoice, id, settled.refunded(), note.reason(), now);
        }
        if (settled.credited().signum() > 0) {
            ledger.grant(c, tenantId, invoice.customerId(), invoice.currency(), settled.credited(), 0, now, null, what, actor);
        }
        announceIssued(c, tenantId, note, number, invoice, settled, refundId, actor, now);
        return get(c, tenantId, id);
    }

    /** The pending note becomes issued: its number, when, how it settled, and who decided (when not its creator). */
    private static void markIssued(Connection c, String tenantId, View note, String number, CreditNotes.Settled settled, String actor,
            String decisionNote, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update credit_note set status = 'issued', number = ?, issued_at = ?, applied_to_due = ?, refunded = ?, credited = ?,
                  decided_by = ?, decided_at = ?, decision_note = ?
                where tenant_id = ? and credit_note_id = ? and status = 'pending_approval'""")) {
            ps.setString(1, number);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setBigDecimal(3, settled.appliedToDue());
            ps.setBigDecimal(4, settled.refunded());
            ps.setBigDecimal(5, settled.credited());
            boolean decided = !actor.equals(note.createdBy());
            ps.setString(6, decided ? actor : null);
            ps.setTimestamp(7, decided ? Timestamp.from(now) : null);
            ps.setString(8, decided ? decisionNote : null);
            ps.setString(9, tenantId);
            ps.setString(10, note.creditNoteId());
            if (ps.executeUpdate() != 1) {
                throw ProblemException.conflict("credit-note-decided", "credit note " + note.creditNoteId() + " changed meanwhile; read it again", null);
            }
        }
    }

    /** {@code CreditNoteIssuedV1} through the outbox, and the audit entry. */
    private void announceIssued(Connection c, String tenantId, View note, String number, InvoiceView invoice, CreditNotes.Settled settled,
            String refundId, String actor, Instant now) throws Exception {
        CreditNoteIssuedV1 event = new CreditNoteIssuedV1(tenantId, invoice.customerId(), note.creditNoteId(), number, invoice.invoiceId(), invoice.number(),
                invoice.currency(), note.subtotal(), note.tax(), note.total(), settled.appliedToDue(), settled.refunded(), settled.credited(),
                note.reason(), note.source(), actor, now);
        Outbox.append(c, Topics.INVOICES, CreditNoteIssuedV1.SCHEMA, List.of(new OutboxRecord(tenantId + "/" + invoice.customerId(),
                json.writeValueAsString(event), TraceContext.current())));
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("number", number);
        after.put("invoice", invoice.number());
        after.put("total", note.total().toPlainString());
        after.put("currency", invoice.currency());
        after.put("appliedToDue", settled.appliedToDue().toPlainString());
        after.put("refunded", settled.refunded().toPlainString());
        after.put("credited", settled.credited().toPlainString());
        after.put("source", note.source());
        after.put("reason", note.reason());
        if (refundId != null) {
            after.put("refundId", refundId);
        }
        audit.record(tenantId, actor, "credit_note", note.creditNoteId(), "issue", Map.of("status", CreditNoteStatus.PENDING_APPROVAL.wire()), after);
    }

    /** What is still due on the invoice (unpaid: its amount due less notes applied to it) and what of a payment can be refunded. */
    private record Paid(BigDecimal stillDue, BigDecimal refundable) {
    }

    private Paid paid(Connection c, String tenantId, InvoiceView invoice) throws SQLException {
        BigDecimal due = invoice.amountDue() == null ? invoice.total() : invoice.amountDue();
        BigDecimal applied = BigDecimal.ZERO;
        BigDecimal refunded = BigDecimal.ZERO;
        try (PreparedStatement ps = c.prepareStatement("""
                select coalesce(sum(applied_to_due), 0), coalesce(sum(refunded), 0) from credit_note
                where tenant_id = ? and invoice_id = ? and status = 'issued'""")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoice.invoiceId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                applied = rs.getBigDecimal(1);
                refunded = rs.getBigDecimal(2);
            }
        }
        boolean paidByProvider = InvoiceStatus.PAID.is(invoice.status()) && invoice.paymentReference() != null
                && !invoice.paymentReference().startsWith(Invoices.SETTLED_BY_CREDIT_NOTES);
        if (InvoiceStatus.FINALIZED.is(invoice.status())) {
            return new Paid(due.subtract(applied).max(BigDecimal.ZERO), BigDecimal.ZERO);
        }
        // paid: what the customer paid (the amount due less what notes took off it before the payment) less refunds
        return new Paid(BigDecimal.ZERO, paidByProvider ? due.subtract(applied).subtract(refunded).max(BigDecimal.ZERO) : BigDecimal.ZERO);
    }

    /** The invoice's lines as notes see them, with what pending and issued notes already take of each, its tax and total. */
    public CreditNotes.Invoice creditable(Connection c, String tenantId, InvoiceView invoice) throws Exception {
        Map<String, BigDecimal> credited = new HashMap<>();
        BigDecimal taxCredited = BigDecimal.ZERO;
        BigDecimal totalCredited = BigDecimal.ZERO;
        for (View n : list(c, tenantId, invoice.invoiceId(), null)) {
            if (CreditNoteStatus.REJECTED.is(n.status())) {
                continue;
            }
            for (CreditNotes.Line l : n.lines()) {
                credited.merge(l.key(), l.amount(), BigDecimal::add);
            }
            taxCredited = taxCredited.add(n.tax());
            totalCredited = totalCredited.add(n.total());
        }
        List<CreditNotes.Creditable> lines = new ArrayList<>();
        for (InvoiceDocumentV1.Line l : invoice.lines()) {
            String key = "line:" + l.meter();
            lines.add(new CreditNotes.Creditable(key, l.description(), l.amount(), credited.getOrDefault(key, BigDecimal.ZERO)));
        }
        for (PeriodTerms.Line t : invoice.terms()) {
            lines.add(new CreditNotes.Creditable(t.key(), t.description(), t.amount(), credited.getOrDefault(t.key(), BigDecimal.ZERO)));
        }
        for (InvoiceDocumentV1.Adjustment a : invoice.adjustments()) {
            String key = "adjustment:" + a.invoiceId() + ":" + a.meter();
            lines.add(new CreditNotes.Creditable(key, a.description() + " (adjusting " + a.invoiceNumber() + ")", a.amount(),
                    credited.getOrDefault(key, BigDecimal.ZERO)));
        }
        InvoiceDocumentV1.Tax t = invoice.tax();
        TaxRate rate = t == null ? null : new TaxRate(t.region(), t.name(), t.ratePercent(), t.inclusive());
        return new CreditNotes.Invoice(invoice.currency(), lines, rate, t == null ? null : t.tax(), invoice.total(), taxCredited, totalCredited);
    }

    private boolean needsApproval(Connection c, String tenantId, BigDecimal total) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select credit_note_approval_threshold from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                BigDecimal threshold = rs.next() ? rs.getBigDecimal(1) : null;
                return threshold == null || total.compareTo(threshold) > 0;
            }
        }
    }

    /** The invoice, its row locked until the transaction ends (notes, approvals, voids and payments of it queue). */
    private InvoiceView lockInvoice(Connection c, String tenantId, String invoiceId) throws Exception {
        invoiceStore.lockRow(c, tenantId, invoiceId);
        return invoiceStore.get(c, tenantId, invoiceId);
    }

    public View get(Connection c, String tenantId, String creditNoteId) throws Exception {
        List<View> found = query(c, "n.tenant_id = ? and n.credit_note_id = ?", tenantId, creditNoteId);
        if (found.isEmpty()) {
            throw ProblemException.notFound("credit-note-not-found", "no credit note '" + creditNoteId + "' in this tenant");
        }
        return found.get(0);
    }

    /** The tenant's notes, of one invoice and/or status when given, oldest first. */
    public List<View> list(Connection c, String tenantId, String invoiceId, String status) throws Exception {
        return query(c, "n.tenant_id = ? and (?::text is null or n.invoice_id = ?) and (?::text is null or n.status = ?)"
                + " order by n.created_at, n.credit_note_id limit 1000", tenantId, invoiceId, invoiceId, status, status);
    }

    private List<View> query(Connection c, String where, Object... args) throws Exception {
        List<View> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select n.document, n.number, n.status, n.applied_to_due, n.refunded, n.credited,"
                + " r.refund_id, n.decided_by, n.decided_at, n.decision_note, n.issued_at from credit_note n"
                + " left join refund r on r.credit_note_id = n.credit_note_id where " + where)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Document d = json.readValue(rs.getString(1), Document.class);
                    out.add(new View(d.creditNoteId(), rs.getString(2), rs.getString(3), d.invoiceId(), d.invoiceNumber(), d.customerId(),
                            d.currency(), d.lines(), d.subtotal(), d.tax(), d.total(), d.taxExplanation(), d.reason(), d.source(), d.settleTo(),
                            rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getString(7), d.createdBy(), d.createdAt(),
                            rs.getString(8), instant(rs, 9), rs.getString(10), instant(rs, 11)));
                }
            }
        }
        return out;
    }

    /** In the currency's minor units (exact: the amounts are sums and differences of rounded amounts). */
    private static BigDecimal minor(BigDecimal amount, String currency) {
        return Money.of(amount, currency).amount();
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }
}
