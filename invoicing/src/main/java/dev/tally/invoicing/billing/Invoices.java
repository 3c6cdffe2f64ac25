package dev.tally.invoicing.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.invoicing.tax.TaxProvider;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceDocumentV1.Adjustment;
import dev.tally.model.invoice.InvoiceGenerator;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.terms.CreditGrant;
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
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Finalized invoices: finalizing a subscription period (gapless number, immutable document, what it billed per
 * meter, {@code InvoiceIssuedV1} through the outbox, an audit entry — all in the caller's transaction), and the
 * status changes after it: paid (offline payment with an external reference) or void (with a reason and who),
 * and reissue of a voided period.
 */
@ApplicationScoped
public class Invoices {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    PeriodPricing pricing;
    @Inject
    AuditLog audit;
    @Inject
    UsageSnapshots usageSnapshots;
    @Inject
    TaxProvider taxes;
    @Inject
    CreditLedger credits;
    @Inject
    PaymentProviders providers;

    /** A customer as finalizing needs it. */
    public record Customer(String customerId, String externalId, String currency, String taxRegion) {
    }

    /**
     * An invoice as the API shows it: its content and its status. {@code creditNotesTotal}: what issued credit notes
     * credit of it; {@code balanceDue}: what is still to pay — the amount due less what notes took off it while it
     * was unpaid (0 once paid or void).
     */
    public record View(String invoiceId, String number, String status, String customerId, String externalId, String subscriptionId,
            String plan, int planVersion, String currency, Instant periodStart, Instant periodEnd, Instant pricedAt, List<InvoiceDocumentV1.Line> lines,
            List<PeriodTerms.Line> terms, List<Adjustment> adjustments, BigDecimal subtotal, InvoiceDocumentV1.Tax tax, BigDecimal total, BigDecimal creditsApplied,
            BigDecimal amountDue, BigDecimal creditNotesTotal, BigDecimal balanceDue, String rounding, Instant finalizedAt, String finalizedBy, String reissueOf,
            Instant paidAt, String paymentReference, Instant voidedAt, String voidedBy, String voidReason) {
        static View of(InvoiceDocumentV1 c, String status, Instant paidAt, String paymentReference, Instant voidedAt, String voidedBy, String voidReason,
                BigDecimal creditNotesTotal, BigDecimal appliedToDue) {
            BigDecimal due = c.amountDue() == null ? c.total() : c.amountDue();
            BigDecimal zero = BigDecimal.ZERO.setScale(due.scale());
            BigDecimal balance = InvoiceStatus.FINALIZED.is(status) ? due.subtract(appliedToDue).max(zero) : zero;
            return new View(c.invoiceId(), c.number(), status, c.customerId(), c.externalId(), c.subscriptionId(), c.plan(), c.planVersion(),
                    c.currency(), c.periodStart(), c.periodEnd(), c.pricedAt(), c.lines(), c.terms(), c.adjustments(), c.subtotal(), c.tax(), c.total(),
                    c.creditsApplied(), c.amountDue(), creditNotesTotal, balance, c.rounding(), c.finalizedAt(), c.finalizedBy(), c.reissueOf(), paidAt,
                    paymentReference, voidedAt, voidedBy, voidReason);
        }
    }

    /** The payment reference of an invoice whose credit notes took all that was due off it. */
    public static final String SETTLED_BY_CREDIT_NOTES = "credit-notes:";

    /**
     * Finalizes {@code period} of {@code subscription} (see {@link #finalizeAll}); {@code reissueOf} names the void
     * invoice this one replaces, or is null.
     */
    public InvoiceDocumentV1 finalizePeriod(Connection c, String tenantId, Customer customer, Subscription subscription, BillingPeriod period,
            String actor, String reissueOf, Instant now) throws Exception {
        return finalizeAll(c, tenantId, List.of(new PeriodCloser.Due(customer, subscription, period)), actor, reissueOf, now).get(0);
    }

    /**
     * Finalizes the given periods of one tenant in the caller's transaction ({@code c}), in batches of statements:
     * prices each from the usage snapshots stored now (by the plan version in force at the period's last instant),
     * draws as many consecutive numbers at once, bills each customer's late usage of earlier periods as adjustments
     * on its oldest invoice here, and writes the invoices, what they billed per meter, one outbox row of
     * {@code InvoiceIssuedV1} and the audit entries. A live invoice already there for a period fails the insert
     * (unique index), rolling back everything — its numbers with it.
     */
    public List<InvoiceDocumentV1> finalizeAll(Connection c, String tenantId, List<PeriodCloser.Due> dues, String actor, String reissueOf, Instant now)
            throws Exception {
        if (dues.isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, UsageSnapshots.Usage>> usage = usageSnapshots.forPeriods(c, tenantId,
                dues.stream().map(d -> d.customer().customerId()).toList(), dues.stream().map(d -> d.period().start()).toList());
        List<String> numbers = nextNumbers(c, tenantId, now, dues.size());
        // late usage of earlier periods: on the customer's oldest invoice of this batch (a reissue re-does its own period only)
        Map<String, List<Adjustment>> adjustments = reissueOf == null ? adjustments(c, tenantId, dues, true) : Map.of();
        List<InvoiceDocumentV1> out = new ArrayList<>(dues.size());
        Set<String> adjusted = new HashSet<>();
        Map<String, Optional<TaxRate>> rates = new HashMap<>(); // by tax region, once per batch
        credits.lapse(c, tenantId, now); // expired balances leave the ledger explained before any is applied
        Map<String, List<CreditGrant>> grants = credits.grants(c, tenantId,
                dues.stream().map(d -> d.customer().customerId()).distinct().toList());
        List<CreditLedger.Use> uses = new ArrayList<>();
        for (int i = 0; i < dues.size(); i++) {
            PeriodCloser.Due d = dues.get(i);
            Customer customer = d.customer();
            List<Adjustment> adj = adjusted.add(customer.customerId()) ? adjustments.getOrDefault(customer.customerId(), List.of()) : List.of();
            TaxRate rate = rates.computeIfAbsent(customer.taxRegion() == null ? "" : customer.taxRegion(),
                    r -> taxes.rateFor(tenantId, customer.taxRegion(), now)).orElse(null);
            String invoiceId = "inv_" + UUID.randomUUID().toString().replace("-", "");
            InvoiceGenerator.Generated g = InvoiceGenerator.generate(new InvoiceGenerator.Request(invoiceId, numbers.get(i), customer.customerId(),
                    customer.externalId(), customer.currency(), d.subscription(), d.period(), pricing.plans(tenantId),
                    PeriodPricing.forGenerator(usage.getOrDefault(customer.customerId() + "|" + d.period().start(), Map.of())), adj,
                    grants.getOrDefault(customer.customerId(), List.of()), rate, RoundingPolicy.DEFAULT, now, actor, reissueOf));
            if (g.credits() != null) {
                // the next invoice of this customer in the batch sees the balances this one left
                grants.put(customer.customerId(), g.credits().after());
                uses.add(new CreditLedger.Use(customer.customerId(), invoiceId, g.credits()));
            }
            out.add(g.document());
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into invoice (invoice_id, tenant_id, customer_id, subscription_id, period_start, period_end, number, currency, total,
                  document, status, finalized_at, finalized_by, reissue_of)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'finalized', ?, ?, ?)""")) {
            for (InvoiceDocumentV1 content : out) {
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
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into invoiced_usage (invoice_id, meter_key, quantity, event_count, version) values (?, ?, ?, ?, ?)""")) {
            for (InvoiceDocumentV1 content : out) {
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
        recordBilled(c, tenantId, out);
        credits.record(c, tenantId, uses);
        providers.enqueuePushes(c, tenantId, out.stream().map(InvoiceDocumentV1::invoiceId).toList());
        List<OutboxRecord> issued = new ArrayList<>(out.size());
        List<AuditLog.Change> changes = new ArrayList<>(out.size());
        for (InvoiceDocumentV1 content : out) {
            List<InvoiceIssuedV1.Line> lines = new ArrayList<>();
            for (InvoiceDocumentV1.Line l : content.lines()) {
                lines.add(new InvoiceIssuedV1.Line("usage", l.description(), l.quantity(), l.amount()));
            }
            for (PeriodTerms.Line t : content.terms()) {
                lines.add(new InvoiceIssuedV1.Line(t.kind(), t.description(), null, t.amount()));
            }
            for (Adjustment a : content.adjustments()) {
                lines.add(new InvoiceIssuedV1.Line("adjustment", a.description() + " — " + a.invoiceNumber() + " (" + a.periodStart() + " to "
                        + a.periodEnd() + ")", a.quantityAfter().subtract(a.quantityBefore()), a.amount()));
            }
            if (content.tax() != null && !content.tax().inclusive()) {
                lines.add(new InvoiceIssuedV1.Line("tax", content.tax().explanation(), null, content.tax().tax()));
            }
            InvoiceIssuedV1 message = new InvoiceIssuedV1(tenantId, content.customerId(), content.invoiceId(), content.number(),
                    content.periodStart(), content.periodEnd(), content.currency(), lines, content.total(), content.amountDue(), now);
            issued.add(new OutboxRecord(tenantId + "/" + content.customerId(), json.writeValueAsString(message), TraceContext.current()));
            changes.add(new AuditLog.Change("invoice", content.invoiceId(), reissueOf == null ? "finalize" : "reissue", null,
                    summary(content, InvoiceStatus.FINALIZED.wire())));
        }
        Outbox.append(c, Topics.INVOICES, InvoiceIssuedV1.SCHEMA, issued);
        audit.recordAll(tenantId, actor, changes);
        return out;
    }

    /**
     * For each customer of {@code dues}: its earlier periods (before its oldest due period here) whose stored usage
     * differs from what their live invoices billed so far (or whose billing an undone adjustment left to re-check),
     * each priced with that invoice's plan version — one adjustment per (period, meter): the line now minus the
     * amount billed so far. With {@code lock} (a close) the rows are locked until the caller's transaction ends; a draft
     * reads them without.
     */
    public Map<String, List<Adjustment>> adjustments(Connection c, String tenantId, List<PeriodCloser.Due> dues, boolean lock) throws Exception {
        Map<String, Instant> oldest = new HashMap<>();
        Map<String, Customer> customers = new HashMap<>();
        for (PeriodCloser.Due d : dues) {
            oldest.merge(d.customer().customerId(), d.period().start(), (a, b) -> a.isBefore(b) ? a : b);
            customers.put(d.customer().customerId(), d.customer());
        }
        String[] ids = oldest.keySet().toArray(String[]::new);
        Timestamp[] before = new Timestamp[ids.length];
        for (int i = 0; i < ids.length; i++) {
            before[i] = Timestamp.from(oldest.get(ids[i]));
        }
        Map<String, List<Adjustment>> out = new HashMap<>();
        Map<String, Touched> touched = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                with k as (select * from unnest(?::text[], ?::timestamptz[]) as k(customer_id, before)),
                s as (select u.customer_id, u.period_start, u.meter_key, sum(u.quantity) as quantity, sum(u.event_count) as event_count
                      from usage_snapshot u join k on u.customer_id = k.customer_id and u.period_start < k.before
                      where u.tenant_id = ? group by u.customer_id, u.period_start, u.meter_key)
                select b.customer_id, b.period_start, b.period_end, b.meter_key, b.invoice_id, i.number, b.plan_key, b.plan_version,
                       b.quantity, b.event_count, coalesce(s.quantity, 0), coalesce(s.event_count, 0), b.billed_amount
                from billed_usage b
                join k on b.customer_id = k.customer_id and b.period_start < k.before
                join invoice i on i.invoice_id = b.invoice_id and i.tenant_id = b.tenant_id
                left join s on s.customer_id = b.customer_id and s.period_start = b.period_start and s.meter_key = b.meter_key
                where b.tenant_id = ? and (coalesce(s.quantity, 0) <> b.quantity or b.recheck)
                order by b.customer_id, b.period_start, b.meter_key""" + (lock ? " for update of b" : ""))) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("timestamptz", before));
            ps.setString(3, tenantId);
            ps.setString(4, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Customer customer = customers.get(rs.getString(1));
                    BillingPeriod p = new BillingPeriod(rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant());
                    String meter = rs.getString(4);
                    touched.putIfAbsent(rs.getString(5), new Touched(customer, p, rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8)));
                    if (isTerm(meter)) {
                        continue; // terms are re-priced below, from the period's usage lines as they stand now
                    }
                    BigDecimal qAfter = rs.getBigDecimal(11);
                    PeriodPricing.Charged is = pricing.charge(tenantId, rs.getString(7), rs.getInt(8), customer.currency(), p, meter, qAfter,
                            rs.getLong(12));
                    if (is == null) {
                        continue; // the plan version does not charge the meter (cannot happen for rows finalize wrote)
                    }
                    BigDecimal billed = rs.getBigDecimal(13);
                    out.computeIfAbsent(customer.customerId(), x -> new ArrayList<>()).add(new Adjustment(rs.getString(5), rs.getString(6),
                            p.start(), p.end(), meter, is.description(), Decimals.normalized(rs.getBigDecimal(9)), Decimals.normalized(qAfter),
                            rs.getLong(10), rs.getLong(12), billed, is.amount(), is.amount().subtract(billed), is.explanation()));
                }
            }
        }
        termAdjustments(c, tenantId, touched, out);
        capByCreditNotes(c, tenantId, touched.keySet(), out);
        return out;
    }

    /**
     * A reduction never gives back what credit notes already gave back: a negative adjustment of a period's line is
     * at most what is still charged for it — the amount billed less what credit notes on the period's invoice
     * credit on that line ({@code line:<meter>} or the term's key). Without this, a line refunded in full and then
     * reduced by a retraction would be credited twice.
     */
    private void capByCreditNotes(Connection c, String tenantId, Set<String> invoiceIds, Map<String, List<Adjustment>> out)
            throws Exception {
        if (invoiceIds.isEmpty() || out.isEmpty()) {
            return;
        }
        Map<String, BigDecimal> credited = new HashMap<>(); // invoice id + "|" + line key
        try (PreparedStatement ps = c.prepareStatement(
                "select invoice_id, document from credit_note where tenant_id = ? and invoice_id = any(?) and status <> 'rejected'")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", invoiceIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (JsonNode l : json.readTree(rs.getString(2)).path("lines")) {
                        credited.merge(rs.getString(1) + "|" + l.path("key").asText(), new BigDecimal(l.path("amount").asText()), BigDecimal::add);
                    }
                }
            }
        }
        if (credited.isEmpty()) {
            return;
        }
        for (List<Adjustment> list : out.values()) {
            for (int i = 0; i < list.size(); i++) {
                Adjustment a = list.get(i);
                String key = isTerm(a.meter()) ? a.meter() : "line:" + a.meter();
                BigDecimal notes = credited.get(a.invoiceId() + "|" + key);
                if (notes == null || a.amount().signum() >= 0) {
                    continue;
                }
                BigDecimal floor = a.amountBefore().subtract(notes).max(BigDecimal.ZERO).negate(); // at most this much back
                if (a.amount().compareTo(floor) < 0) {
                    List<String> why = new ArrayList<>(a.explanation());
                    why.add("reduction capped at " + floor.toPlainString() + ": credit notes on " + a.invoiceNumber() + " already credit "
                            + notes.toPlainString() + " of this line");
                    list.set(i, new Adjustment(a.invoiceId(), a.invoiceNumber(), a.periodStart(), a.periodEnd(), a.meter(), a.description(),
                            a.quantityBefore(), a.quantityAfter(), a.eventCountBefore(), a.eventCountAfter(), a.amountBefore(),
                            a.amountBefore().add(floor), floor, why));
                }
            }
        }
    }

    /** A finalized period that late usage (or an undone adjustment) touches: its terms are priced again. */
    private record Touched(Customer customer, BillingPeriod period, String invoiceId, String number, String planKey, int planVersion) {
    }

    /**
     * The discounts and the minimum commitment of each touched period, re-priced on its usage lines as they are now
     * billed (with this close's adjustments) plus its fixed fees: one adjustment per term whose amount changed
     * (a discount that grows, a true-up that shrinks as late usage fills the commitment).
     */
    private void termAdjustments(Connection c, String tenantId, Map<String, Touched> touched, Map<String, List<Adjustment>> out)
            throws SQLException {
        Map<String, Map<String, BigDecimal>> billed = new HashMap<>();
        Map<String, String> subscriptions = new HashMap<>();
        if (touched.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select invoice_id, meter_key, billed_amount, subscription_id from billed_usage where tenant_id = ? and invoice_id = any(?)""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", touched.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    billed.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getBigDecimal(3));
                    subscriptions.put(rs.getString(1), rs.getString(4));
                }
            }
        }
        for (Touched t : touched.values()) {
            PlanSpec.TermsSpec terms = pricing.terms(tenantId, t.planKey(), t.planVersion());
            Map<String, BigDecimal> rows = billed.getOrDefault(t.invoiceId(), Map.of());
            boolean hasTerms = rows.keySet().stream().anyMatch(k -> k.startsWith("discount:") || k.equals(PeriodTerms.MINIMUM));
            if (terms == null || (terms.minimumCommitment() == null && (terms.discounts() == null || terms.discounts().isEmpty())) && !hasTerms) {
                continue;
            }
            Map<String, BigDecimal> now = new HashMap<>();
            for (Adjustment a : out.getOrDefault(t.customer().customerId(), List.of())) {
                if (a.invoiceId().equals(t.invoiceId())) {
                    now.put(a.meter(), a.amountAfter());
                }
            }
            BigDecimal running = BigDecimal.ZERO;
            for (Map.Entry<String, BigDecimal> r : rows.entrySet()) {
                if (!isTerm(r.getKey()) || r.getKey().startsWith("fixed:")) {
                    running = running.add(now.getOrDefault(r.getKey(), r.getValue()));
                }
            }
            Subscription s = SubscriptionService.load(SubscriptionEntity.get(tenantId, subscriptions.get(t.invoiceId())));
            Map<String, PeriodTerms.Line> repriced = new LinkedHashMap<>();
            for (PeriodTerms.Line l : PeriodTerms.discountsAndMinimum(running, t.customer().currency(), terms, PeriodTerms.periodIndex(s, t.period()),
                    RoundingPolicy.DEFAULT)) {
                repriced.put(l.key(), l);
            }
            Set<String> keys = new LinkedHashSet<>(repriced.keySet());
            rows.keySet().stream().filter(k -> k.startsWith("discount:") || k.equals(PeriodTerms.MINIMUM)).forEach(keys::add);
            for (String key : keys) {
                BigDecimal before = rows.getOrDefault(key, BigDecimal.ZERO);
                PeriodTerms.Line l = repriced.get(key);
                BigDecimal after = l == null ? BigDecimal.ZERO.setScale(before.scale()) : l.amount();
                if (after.compareTo(before) == 0) {
                    continue;
                }
                String text = l == null ? key + " no longer applies (the period's usage changed)" : l.description();
                out.computeIfAbsent(t.customer().customerId(), x -> new ArrayList<>()).add(new Adjustment(t.invoiceId(), t.number(),
                        t.period().start(), t.period().end(), key, text, BigDecimal.ZERO, BigDecimal.ZERO, 0, 0, before, after,
                        after.subtract(before), List.of(text)));
            }
        }
    }

    /** Whether a billed line's key is a term's (fixed fee, discount, true-up) rather than a meter's. */
    static boolean isTerm(String key) {
        return key.indexOf(':') >= 0;
    }

    /**
     * Records what these invoices billed: their periods' charged meters (replacing a voided predecessor's rows) and,
     * for every period they adjusted, the usage and amount billed for it from now on.
     */
    private static void recordBilled(Connection c, String tenantId, List<InvoiceDocumentV1> contents) throws SQLException {
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
                    if (l.meter() == null) {
                        continue;
                    }
                    ps.setString(1, tenantId);
                    ps.setString(2, content.customerId());
                    ps.setString(3, content.subscriptionId());
                    ps.setTimestamp(4, Timestamp.from(content.periodStart()));
                    ps.setTimestamp(5, Timestamp.from(content.periodEnd()));
                    ps.setString(6, l.meter());
                    ps.setString(7, content.invoiceId());
                    ps.setString(8, content.plan());
                    ps.setInt(9, content.planVersion());
                    ps.setBigDecimal(10, l.quantity());
                    ps.setBigDecimal(11, l.amount());
                    ps.setBigDecimal(12, l.quantity());
                    ps.setLong(13, l.eventCount());
                    ps.setBigDecimal(14, l.amount());
                    ps.addBatch();
                }
                for (PeriodTerms.Line t : content.terms()) {
                    // a term's line (key with a colon: fixed fee, discount, true-up) is billed like a meter's, without usage
                    ps.setString(1, tenantId);
                    ps.setString(2, content.customerId());
                    ps.setString(3, content.subscriptionId());
                    ps.setTimestamp(4, Timestamp.from(content.periodStart()));
                    ps.setTimestamp(5, Timestamp.from(content.periodEnd()));
                    ps.setString(6, t.key());
                    ps.setString(7, content.invoiceId());
                    ps.setString(8, content.plan());
                    ps.setInt(9, content.planVersion());
                    ps.setBigDecimal(10, BigDecimal.ZERO);
                    ps.setBigDecimal(11, t.amount());
                    ps.setBigDecimal(12, BigDecimal.ZERO);
                    ps.setLong(13, 0);
                    ps.setBigDecimal(14, t.amount());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
        // a term that adjusts a period may not have been billed for it before (a true-up that applies only now)
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
     * Undoes a voided invoice's adjustments: the amount it added is no longer billed, and the period is left to
     * re-check, so the next invoice bills the line as it stands then minus what is still billed.
     */
    private static void undoAdjustments(Connection c, String tenantId, String customerId, List<Adjustment> adjustments) throws SQLException {
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

    /**
     * The tenant's next {@code n} invoice numbers, {@code PREFIX-YYYY-NNNNNN}: the counter row of (tenant, year) is
     * moved by {@code n} in the caller's transaction, so concurrent finalizations queue on it and a rollback returns
     * the numbers.
     */
    List<String> nextNumbers(Connection c, String tenantId, Instant now, int n) throws SQLException {
        return nextNumbers(c, tenantId, now, n, "INV", "");
    }

    /**
     * As {@link #nextNumbers(Connection, String, Instant, int)} in another gapless series of the tenant: credit notes
     * are {@code series} "CN", numbered {@code PREFIX-CN-YYYY-NNNNNN} ({@code infix} "CN-").
     */
    public List<String> nextNumbers(Connection c, String tenantId, Instant now, int n, String series, String infix) throws SQLException {
        int year = now.atZone(ZoneOffset.UTC).getYear();
        String prefix;
        try (PreparedStatement ps = c.prepareStatement("select invoice_prefix, name from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no tenant " + tenantId);
                }
                prefix = rs.getString(1) != null ? rs.getString(1) : prefixOf(rs.getString(2), tenantId);
            }
        }
        long last;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into invoice_counter (tenant_id, series, year, last_number) values (?, ?, ?, ?)
                on conflict (tenant_id, series, year) do update set last_number = invoice_counter.last_number + excluded.last_number
                returning last_number""")) {
            ps.setString(1, tenantId);
            ps.setString(2, series);
            ps.setInt(3, year);
            ps.setLong(4, n);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
            }
        }
        List<String> out = new ArrayList<>(n);
        for (long k = last - n + 1; k <= last; k++) {
            out.add(String.format(Locale.ROOT, "%s-%s%d-%06d", prefix, infix, year, k));
        }
        return out;
    }

    /** The tenant's name in capitals and digits (at most 12), e.g. "Acme, Inc." → ACMEINC; the tenant id without one. */
    static String prefixOf(String name, String tenantId) {
        String p = name == null ? "" : name.replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT);
        if (p.length() > 12) {
            p = p.substring(0, 12);
        }
        return p.isEmpty() ? tenantId.toUpperCase(Locale.ROOT) : p;
    }

    /** The invoice in the tenant, or 404 (another tenant's id included). */
    public View get(Connection c, String tenantId, String invoiceId) throws Exception {
        List<View> found = query(c, "where tenant_id = ? and invoice_id = ?", tenantId, invoiceId);
        if (found.isEmpty()) {
            throw ProblemException.notFound("invoice-not-found", "no invoice '" + invoiceId + "' in this tenant");
        }
        return found.get(0);
    }

    /** The tenant's invoices, optionally of one customer (Tally id) and status, newest period first, at most {@code limit}. */
    /**
     * Which invoices a list shows: {@code customerId}, {@code status} and {@code numberPrefix} (case-insensitive) when set,
     * periods starting in {@code [periodFrom, periodTo)} when set, in the order {@code sort} names.
     */
    public record Filter(String customerId, String status, String numberPrefix, Instant[] period, String sort) {
        private static final Map<String, String> ORDERS = Map.of(
                "-periodStart", "period_start desc, finalized_at desc, invoice_id", "periodStart", "period_start, finalized_at, invoice_id",
                "number", "number, invoice_id", "-number", "number desc, invoice_id",
                "total", "total, invoice_id", "-total", "total desc, invoice_id");

        public Filter {
            if (!ORDERS.containsKey(sort)) {
                throw ProblemException.badRequest("invalid-field", "sort must be one of " + ORDERS.keySet().stream().sorted().toList(), "sort");
            }
        }

        /** {@code yyyy-mm-dd} (that UTC day) or {@code yyyy-mm} (that UTC month) as [from, to); null for null. */
        public static Instant[] periodRange(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                if (text.length() == 7) {
                    YearMonth m = YearMonth.parse(text);
                    return new Instant[] {m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(), m.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
                }
                LocalDate d = LocalDate.parse(text);
                return new Instant[] {d.atStartOfDay(ZoneOffset.UTC).toInstant(), d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
            } catch (DateTimeParseException e) {
                throw ProblemException.badRequest("invalid-field", "periodStart must be a day (2026-11-01) or a month (2026-11)", "periodStart");
            }
        }

        /** Only the conditions this filter sets, so each can use its index (an "or ? is null" would not). */
        String where() {
            StringBuilder w = new StringBuilder("where tenant_id = ?");
            if (customerId != null) {
                w.append(" and customer_id = ?");
            }
            if (status != null) {
                w.append(" and status = ?");
            }
            if (numberPrefix != null) {
                w.append(" and lower(number) like ? || '%' escape '\\'");
            }
            if (period != null) {
                w.append(" and period_start >= ? and period_start < ?");
            }
            return w.toString();
        }

        Object[] args(String tenantId) {
            List<Object> a = new ArrayList<>();
            a.add(tenantId);
            if (customerId != null) {
                a.add(customerId);
            }
            if (status != null) {
                a.add(status);
            }
            if (numberPrefix != null) {
                a.add(numberPrefix.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
            }
            if (period != null) {
                a.add(Timestamp.from(period[0]));
                a.add(Timestamp.from(period[1]));
            }
            return a.toArray();
        }
    }

    /** A page of the filtered list: the page's ids are chosen first, so only its rows are read whole (a deep page stays cheap). */
    public List<View> list(Connection c, String tenantId, Filter filter, int offset, int limit) throws Exception {
        String order = Filter.ORDERS.get(filter.sort());
        return query(c, "where invoice_id in (select invoice_id from invoice " + filter.where() + " order by " + order + " offset " + offset
                + " limit " + limit + ") order by " + order, filter.args(tenantId));
    }

    public long count(Connection c, String tenantId, Filter filter) throws SQLException {
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

    private List<View> query(Connection c, String where, Object... args) throws Exception {
        List<View> out = new ArrayList<>();
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
                    out.add(View.of(json.readValue(rs.getString(1), InvoiceDocumentV1.class), rs.getString(2), instant(rs, 3), rs.getString(4),
                            instant(rs, 5), rs.getString(6), rs.getString(7), rs.getBigDecimal(8), rs.getBigDecimal(9)));
                }
            }
        }
        return out;
    }

    /** Voids a finalized invoice, with who and why; a paid or already void invoice cannot be voided (409). */
    public View voidInvoice(Connection c, String tenantId, String invoiceId, String reason, String actor, Instant now) throws Exception {
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("invalid-field", "voiding needs a reason", "reason");
        }
        if (reason.length() > 1000) {
            throw ProblemException.badRequest("invalid-field", "reason: at most 1000 characters", "reason");
        }
        PeriodCloser.lock(c, tenantId); // closes bill adjustments from billed_usage, which a void changes
        lockRow(c, tenantId, invoiceId);
        View before = get(c, tenantId, invoiceId);
        if (!InvoiceStatus.FINALIZED.is(before.status())) {
            throw ProblemException.conflict("invoice-not-voidable", "invoice " + before.number() + " is " + before.status()
                    + "; only a finalized, unpaid invoice can be voided (a paid one is corrected with a credit note)", null);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "select count(*) from credit_note where tenant_id = ? and invoice_id = ? and status <> 'rejected'")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw ProblemException.conflict("invoice-credited", "invoice " + before.number() + " has credit notes (issued or pending);"
                            + " an invoice with credit notes is corrected by further notes, not voided", null);
                }
            }
        }
        // a reissue would bill the period's whole usage while later invoices' adjustments of it stay billed
        try (PreparedStatement ps = c.prepareStatement("""
                select string_agg(number, ', ' order by number) from invoice
                where tenant_id = ? and customer_id = ? and invoice_id <> ? and status <> 'void'
                  and document::jsonb -> 'adjustments' @> jsonb_build_array(jsonb_build_object('invoiceId', ?::text))""")) {
            ps.setString(1, tenantId);
            ps.setString(2, before.customerId());
            ps.setString(3, invoiceId);
            ps.setString(4, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getString(1) != null) {
                    throw ProblemException.conflict("invoice-adjusted", "invoices " + rs.getString(1) + " carry adjustments of " + before.number()
                            + "'s period; void them first", null);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update invoice set status = 'void', voided_at = ?, voided_by = ?, void_reason = ?
                where tenant_id = ? and invoice_id = ? and status = 'finalized'""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, actor);
            ps.setString(3, reason);
            ps.setString(4, tenantId);
            ps.setString(5, invoiceId);
            if (ps.executeUpdate() != 1) {
                throw ProblemException.conflict("invoice-not-voidable", "invoice " + before.number() + " changed meanwhile; read it again", null);
            }
        }
        // the period is no longer billed (a reissue bills it again), and the adjustments this invoice carried are undone
        try (PreparedStatement ps = c.prepareStatement("delete from billed_usage where tenant_id = ? and invoice_id = ?")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            ps.executeUpdate();
        }
        undoAdjustments(c, tenantId, before.customerId(), before.adjustments());
        credits.restore(c, tenantId, invoiceId, "invoice " + before.number() + " voided: " + reason);
        providers.enqueueSync(c, tenantId, invoiceId); // a pushed invoice is voided at the provider too
        View after = get(c, tenantId, invoiceId);
        announce(c, tenantId, after, actor, reason, null, now);
        audit.record(tenantId, actor, "invoice", invoiceId, "void", Map.of("status", before.status()), Map.of("status", "void", "reason", reason));
        return after;
    }

    /**
     * Records a payment of what is still due ({@code balanceDue}: the amount due less credit notes taken off it) with
     * the provider's reference; the invoice becomes paid. Offline (an operator) or from the provider's webhook.
     */
    public View pay(Connection c, String tenantId, String invoiceId, String reference, BigDecimal amount, String actor, Instant now)
            throws Exception {
        if (reference == null || reference.isBlank() || reference.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "a payment needs the provider's reference (at most 200 characters)", "reference");
        }
        if (reference.startsWith(SETTLED_BY_CREDIT_NOTES)) {
            throw ProblemException.badRequest("invalid-field", "references starting '" + SETTLED_BY_CREDIT_NOTES + "' are Tally's own", "reference");
        }
        lockRow(c, tenantId, invoiceId);
        View before = get(c, tenantId, invoiceId);
        if (!InvoiceStatus.FINALIZED.is(before.status())) {
            throw ProblemException.conflict("invoice-not-payable", "invoice " + before.number() + " is " + before.status(), null);
        }
        if (amount == null || amount.compareTo(before.balanceDue()) != 0) {
            throw ProblemException.badRequest("invalid-field", "amount must equal the balance due " + before.balanceDue() + " "
                    + before.currency() + " (partial payments are not supported yet)", "amount");
        }
        markPaid(c, tenantId, before, reference, now);
        if (!PaymentProviders.paidThroughStripe(reference)) {
            providers.enqueueSync(c, tenantId, invoiceId); // paid outside the provider: it stops collecting
        }
        View after = get(c, tenantId, invoiceId);
        announce(c, tenantId, after, actor, null, reference, now);
        Map<String, Object> paid = new LinkedHashMap<>();
        paid.put("status", InvoiceStatus.PAID.wire());
        paid.put("amount", amount.toPlainString());
        paid.put("reference", reference);
        audit.record(tenantId, actor, "invoice", invoiceId, "pay", Map.of("status", before.status()), paid);
        return after;
    }

    /** Credit note {@code number} took the last of what was due: the invoice is settled (paid, by its credit notes). */
    public void settleByCreditNotes(Connection c, String tenantId, String invoiceId, String number, String actor, Instant now) throws Exception {
        View before = get(c, tenantId, invoiceId);
        markPaid(c, tenantId, before, SETTLED_BY_CREDIT_NOTES + number, now);
        View after = get(c, tenantId, invoiceId);
        announce(c, tenantId, after, actor, "settled by credit note " + number, after.paymentReference(), now);
        audit.record(tenantId, actor, "invoice", invoiceId, "settle", Map.of("status", before.status()),
                Map.of("status", InvoiceStatus.PAID.wire(), "reference", after.paymentReference()));
    }

    private static void markPaid(Connection c, String tenantId, View before, String reference, Instant now) throws SQLException {
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
    public static void lockRow(Connection c, String tenantId, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from invoice where tenant_id = ? and invoice_id = ? for update")) {
            ps.setString(1, tenantId);
            ps.setString(2, invoiceId);
            ps.executeQuery().close();
        }
    }

    private void announce(Connection c, String tenantId, View v, String actor, String reason, String reference, Instant now) throws Exception {
        InvoiceStatusV1 s = new InvoiceStatusV1(tenantId, v.customerId(), v.invoiceId(), v.number(), v.status(), v.total(), v.currency(),
                actor, reason, reference, now);
        Outbox.append(c, Topics.INVOICES, InvoiceStatusV1.SCHEMA,
                List.of(new OutboxRecord(tenantId + "/" + v.customerId(), json.writeValueAsString(s), TraceContext.current())));
    }

    private static Map<String, Object> summary(InvoiceDocumentV1 c, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", c.number());
        m.put("status", status);
        m.put("customerId", c.customerId());
        m.put("periodStart", c.periodStart().toString());
        m.put("periodEnd", c.periodEnd().toString());
        m.put("currency", c.currency());
        m.put("total", c.total().toPlainString());
        if (c.reissueOf() != null) {
            m.put("reissueOf", c.reissueOf());
        }
        return m;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }
}
