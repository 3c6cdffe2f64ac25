package dev.tally.invoicing.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.PriceOverrideStore;
import dev.tally.invoicing.catalog.TenantService;
import dev.tally.invoicing.coupon.CouponStore;
import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.invoicing.tax.TaxProvider;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceDocumentV1.Adjustment;
import dev.tally.model.invoice.InvoiceGenerator;
import dev.tally.model.invoice.InvoiceKind;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.invoice.ProgressiveBilling;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxPoint;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.terms.Coupons;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The invoice's lifecycle as transaction scripts, each in the caller's transaction: finalize (the pure
 * {@link InvoiceGenerator} prices the period; this gathers its inputs and stores what it returns), then pay, settle by
 * credit notes, or void. Storage is {@link InvoiceStore} (invoices), {@link BilledUsage} (what is billed per period)
 * and {@link InvoiceNumbers}; late usage is {@link LateUsageAdjustments}.
 */
@ApplicationScoped
public class Invoices {
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
    @Inject
    InvoiceStore store;
    @Inject
    InvoiceNumbers numbers;
    @Inject
    LateUsageAdjustments lateUsage;
    @Inject
    TenantService tenants;
    @Inject
    PriceOverrideStore priceOverrides;
    @Inject
    CouponStore coupons;
    @Inject
    ProgressiveInvoices progressiveInvoices;

    /** A customer as finalizing needs it. */
    public record Customer(String customerId, String externalId, String currency, String taxRegion) {
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
        List<CreditLedger.Use> uses = new ArrayList<>();
        List<InvoiceDocumentV1> out = generate(c, tenantId, dues, usage, uses, actor, reissueOf, now);
        store.insert(c, tenantId, out, usage, actor, reissueOf, now);
        coupons.recordApplications(c, tenantId, out);
        BilledUsage.record(c, tenantId, out);
        credits.record(c, tenantId, uses);
        providers.enqueuePushes(c, tenantId, out.stream().map(InvoiceDocumentV1::invoiceId).toList());
        announceIssued(c, tenantId, out, actor, reissueOf, now);
        return out;
    }

    /**
     * The documents of {@code dues}, in order, from the generator: numbers drawn at once, late usage on each customer's
     * first invoice here (a reissue re-does its own period only), the tax rate of each region at the tenant's tax point
     * read once, and credit
     * balances carried from one invoice of a customer to the next ({@code uses} collects what each burned).
     */
    private List<InvoiceDocumentV1> generate(Connection c, String tenantId, List<PeriodCloser.Due> dues,
            Map<String, Map<String, UsageSnapshots.Usage>> usage, List<CreditLedger.Use> uses, String actor, String reissueOf, Instant now)
            throws Exception {
        List<String> drawn = numbers.nextNumbers(c, tenantId, now, dues.size());
        Map<String, List<Adjustment>> adjustments = reissueOf == null ? lateUsage.adjustments(c, tenantId, dues, true) : Map.of();
        Set<String> adjusted = new HashSet<>();
        TaxPoint taxPoint = tenants.taxPoint(tenantId);
        Map<String, Optional<TaxRate>> rates = new HashMap<>(); // by tax region and tax point, once per batch
        credits.lapse(c, tenantId, now); // expired balances leave the ledger explained before any is applied
        List<String> customerIds = dues.stream().map(d -> d.customer().customerId()).distinct().toList();
        Map<String, List<CreditGrant>> grants = credits.grants(c, tenantId, customerIds);
        Map<String, List<PriceOverride>> overrides = priceOverrides.ofCustomers(c, tenantId, customerIds);
        Map<String, List<Coupons.Redemption>> redemptions = coupons.redemptions(c, tenantId, customerIds);
        Map<String, List<ProgressiveBilling.Billed>> progressive = progressiveInvoices.billed(c, tenantId, customerIds);
        List<InvoiceDocumentV1> out = new ArrayList<>(dues.size());
        for (int i = 0; i < dues.size(); i++) {
            PeriodCloser.Due d = dues.get(i);
            Customer customer = d.customer();
            List<Adjustment> adj = adjusted.add(customer.customerId()) ? adjustments.getOrDefault(customer.customerId(), List.of()) : List.of();
            Instant taxAt = taxPoint.at(d.period(), now);
            TaxRate rate = rates.computeIfAbsent((customer.taxRegion() == null ? "" : customer.taxRegion()) + "|" + taxAt,
                    r -> taxes.rateFor(tenantId, customer.taxRegion(), taxAt)).orElse(null);
            String invoiceId = "inv_" + UUID.randomUUID().toString().replace("-", "");
            InvoiceGenerator.Generated g = InvoiceGenerator.generate(new InvoiceGenerator.Request(invoiceId, drawn.get(i), customer.customerId(),
                    customer.externalId(), customer.currency(), d.subscription(), d.period(), pricing.plans(tenantId),
                    overrides.getOrDefault(customer.customerId(), List.of()),
                    PeriodPricing.forGenerator(usage.getOrDefault(customer.customerId() + "|" + d.period().start(), Map.of())), adj,
                    redemptions.getOrDefault(customer.customerId(), List.of()),
                    progressive.getOrDefault(ProgressiveInvoices.key(d.subscription().subscriptionId(), d.period().start()), List.of()),
                    grants.getOrDefault(customer.customerId(), List.of()), rate, RoundingPolicy.DEFAULT, now, actor, reissueOf));
            // the next invoice of this customer in the batch sees the balances this one left
            grants.put(customer.customerId(), g.grantsAfter());
            redemptions.put(customer.customerId(), g.couponsAfter());
            if (g.credits() != null || !g.lapsed().isEmpty()) {
                uses.add(new CreditLedger.Use(customer.customerId(), invoiceId, g.credits(), g.lapsed()));
            }
            out.add(g.document());
        }
        return out;
    }

    /**
     * Issues invoices that bill no period's usage snapshots (purchases, progressive invoices, stand-alone adjustments),
     * in the caller's transaction: stored, queued for the payment provider, announced and audited — as a close does its
     * own; the adjustments of an adjustment invoice are billed from then on ({@link BilledUsage}).
     */
    void issue(Connection c, String tenantId, List<InvoiceDocumentV1> documents, String actor, Instant now) throws Exception {
        store.insert(c, tenantId, documents, Map.of(), actor, null, now);
        BilledUsage.record(c, tenantId, documents);
        providers.enqueuePushes(c, tenantId, documents.stream().map(InvoiceDocumentV1::invoiceId).toList());
        announceIssued(c, tenantId, documents, actor, null, now);
    }

    /** One outbox row of {@code InvoiceIssuedV1} per invoice (its lines, adjustments and tax as lines) and the audit entries. */
    private void announceIssued(Connection c, String tenantId, List<InvoiceDocumentV1> out, String actor, String reissueOf, Instant now)
            throws Exception {
        List<OutboxRecord> issued = new ArrayList<>(out.size());
        List<AuditLog.Change> changes = new ArrayList<>(out.size());
        for (InvoiceDocumentV1 content : out) {
            InvoiceIssuedV1 message = new InvoiceIssuedV1(tenantId, content.customerId(), content.invoiceId(), content.number(),
                    content.periodStart(), content.periodEnd(), content.currency(), issuedLines(content), content.total(), content.amountDue(), now);
            issued.add(new OutboxRecord(tenantId + "/" + content.customerId(), json.writeValueAsString(message), TraceContext.current()));
            changes.add(new AuditLog.Change("invoice", content.invoiceId(), reissueOf == null ? "finalize" : "reissue", null,
                    summary(content, InvoiceStatus.FINALIZED.wire())));
        }
        Outbox.append(c, Topics.INVOICES, InvoiceIssuedV1.SCHEMA, issued);
        audit.recordAll(tenantId, actor, changes);
    }

    private static List<InvoiceIssuedV1.Line> issuedLines(InvoiceDocumentV1 content) {
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
        return lines;
    }

    /** Voids a finalized invoice, with who and why; a paid or already void invoice cannot be voided (409). */
    public InvoiceView voidInvoice(Connection c, String tenantId, String invoiceId, String reason, String actor, Instant now) throws Exception {
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("invalid-field", "voiding needs a reason", "reason");
        }
        if (reason.length() > 1000) {
            throw ProblemException.badRequest("invalid-field", "reason: at most 1000 characters", "reason");
        }
        PeriodCloser.lock(c, tenantId); // closes bill adjustments from billed_usage, which a void changes
        store.lockRow(c, tenantId, invoiceId);
        InvoiceView before = store.get(c, tenantId, invoiceId);
        if (!InvoiceStatus.FINALIZED.is(before.status())) {
            throw ProblemException.conflict("invoice-not-voidable", "invoice " + before.number() + " is " + before.status()
                    + "; only a finalized, unpaid invoice can be voided (a paid one is corrected with a credit note)", null);
        }
        if (InvoiceKind.PROGRESSIVE.is(before.kind()) && store.periodInvoiced(c, tenantId, before.subscriptionId(), before.periodStart())) {
            throw ProblemException.conflict("period-invoiced", "progressive invoice " + before.number() + " is deducted by its period's"
                    + " invoice; void that one first (its reissue then bills the period without this deduction)", null);
        }
        if (InvoiceKind.PURCHASE.is(before.kind())) {
            throw ProblemException.conflict("purchase-invoice", "invoice " + before.number() + " bills purchased credit; the grant stays, so"
                    + " the invoice is corrected with a credit note, not voided", null);
        }
        if (store.hasCreditNotes(c, tenantId, invoiceId)) {
            throw ProblemException.conflict("invoice-credited", "invoice " + before.number() + " has credit notes (issued or pending);"
                    + " an invoice with credit notes is corrected by further notes, not voided", null);
        }
        // a reissue would bill the period's whole usage while later invoices' adjustments of it stay billed
        String adjustedBy = store.adjustedBy(c, tenantId, before);
        if (adjustedBy != null) {
            throw ProblemException.conflict("invoice-adjusted", "invoices " + adjustedBy + " carry adjustments of " + before.number()
                    + "'s period; void them first", null);
        }
        if (!store.markVoid(c, tenantId, invoiceId, reason, actor, now)) {
            throw ProblemException.conflict("invoice-not-voidable", "invoice " + before.number() + " changed meanwhile; read it again", null);
        }
        BilledUsage.forget(c, tenantId, invoiceId, before.customerId(), before.adjustments());
        credits.restore(c, tenantId, invoiceId, "invoice " + before.number() + " voided: " + reason);
        providers.enqueueSync(c, tenantId, invoiceId); // a pushed invoice is voided at the provider too
        InvoiceView after = store.get(c, tenantId, invoiceId);
        announce(c, tenantId, after, actor, reason, null, now);
        audit.record(tenantId, actor, "invoice", invoiceId, "void", Map.of("status", before.status()),
                Map.of("status", InvoiceStatus.VOID.wire(), "reason", reason));
        return after;
    }

    /**
     * Records a payment of what is still due ({@code balanceDue}: the amount due less credit notes taken off it) with
     * the provider's reference; the invoice becomes paid. Offline (an operator) or from the provider's webhook.
     */
    public InvoiceView pay(Connection c, String tenantId, String invoiceId, String reference, BigDecimal amount, String actor, Instant now)
            throws Exception {
        if (reference == null || reference.isBlank() || reference.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "a payment needs the provider's reference (at most 200 characters)", "reference");
        }
        if (reference.startsWith(SETTLED_BY_CREDIT_NOTES)) {
            throw ProblemException.badRequest("invalid-field", "references starting '" + SETTLED_BY_CREDIT_NOTES + "' are Tally's own", "reference");
        }
        store.lockRow(c, tenantId, invoiceId);
        InvoiceView before = store.get(c, tenantId, invoiceId);
        if (!InvoiceStatus.FINALIZED.is(before.status())) {
            throw ProblemException.conflict("invoice-not-payable", "invoice " + before.number() + " is " + before.status(), null);
        }
        if (amount == null || amount.compareTo(before.balanceDue()) != 0) {
            throw ProblemException.badRequest("invalid-field", "amount must equal the balance due " + before.balanceDue() + " "
                    + before.currency() + " (partial payments are not supported yet)", "amount");
        }
        store.markPaid(c, tenantId, before, reference, now);
        if (!PaymentProviders.paidThroughStripe(reference)) {
            providers.enqueueSync(c, tenantId, invoiceId); // paid outside the provider: it stops collecting
        }
        InvoiceView after = store.get(c, tenantId, invoiceId);
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
        InvoiceView before = store.get(c, tenantId, invoiceId);
        store.markPaid(c, tenantId, before, SETTLED_BY_CREDIT_NOTES + number, now);
        InvoiceView after = store.get(c, tenantId, invoiceId);
        announce(c, tenantId, after, actor, "settled by credit note " + number, after.paymentReference(), now);
        audit.record(tenantId, actor, "invoice", invoiceId, "settle", Map.of("status", before.status()),
                Map.of("status", InvoiceStatus.PAID.wire(), "reference", after.paymentReference()));
    }

    private void announce(Connection c, String tenantId, InvoiceView v, String actor, String reason, String reference, Instant now) throws Exception {
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
}
