package dev.tally.model.invoice;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.plan.PriceOverrides;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.tax.Taxes;
import dev.tally.model.terms.Coupons;
import dev.tally.model.terms.CreditGrant;
import dev.tally.model.terms.Credits;
import dev.tally.model.terms.LedgerEntry;
import dev.tally.model.terms.PeriodTerms;
import dev.tally.model.terms.Settlement;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The one invoice function: from a customer's subscription period, its rated usage, the adjustments of earlier
 * periods, the customer's credit grants, the tax rate in force and the rounding policy, the invoice document
 * ({@link InvoiceDocumentV1}). The draft and the period close both call it with the inputs each reads, so a draft
 * read just before the close shows, line for line and to the minor unit, what the finalized invoice will say.
 * Pure: no clock (the instants are arguments), no storage.
 *
 * <p>Order and rounding: each usage line is rounded once (the policy's mode, the currency's minor unit); fixed fees of
 * every plan version in force during the period, prorated by seconds; then the discounts and the minimum commitment of
 * the plan version in force at the period's last instant, on the running total; then the customer's coupons and
 * subscription discounts ({@link Coupons}); less what the period's progressive invoices billed ({@link ProgressiveBilling});
 * then the adjustments; the tax is
 * computed once on that subtotal; prepaid credit burns the total down, most-at-risk grant first.
 */
public final class InvoiceGenerator {
    /** How an invoice rounds, as its documents say. */
    public static final String ROUNDING = RoundingPolicy.DEFAULT.mode() + ", once per line and once for the tax; total = sum of lines,"
            + " terms and adjustments, plus an exclusive tax";

    private InvoiceGenerator() {
    }

    /**
     * A meter's usage in the period: the rated quantity, its events, the snapshot version it was read at, and the
     * quantity per group of dimension values (empty for a meter without groups; a matrix charge prices these).
     */
    public record Usage(BigDecimal quantity, long eventCount, long version, Map<Map<String, String>, BigDecimal> groups,
            Map<Instant, PlanCharges.MeterUsage> segments) {
        /** @param segments the part in each later segment when the plan changed during the period ({@link PlanCharges.MeterUsage}) */
        public Usage {
            groups = groups == null ? Map.of() : Map.copyOf(groups);
            segments = segments == null ? Map.of() : Map.copyOf(segments);
        }

        /** Usage in a period the plan did not change in. */
        public Usage(BigDecimal quantity, long eventCount, long version, Map<Map<String, String>, BigDecimal> groups) {
            this(quantity, eventCount, version, groups, Map.of());
        }

        /** Usage of a meter without groups. */
        public Usage(BigDecimal quantity, long eventCount, long version) {
            this(quantity, eventCount, version, Map.of());
        }

        /** As the pure pricing functions take it. */
        public PlanCharges.MeterUsage meterUsage() {
            return new PlanCharges.MeterUsage(quantity, eventCount, groups, segments);
        }
    }

    /**
     * What an invoice is made from.
     *
     * @param invoiceId   null for a draft
     * @param number      null for a draft
     * @param plans       a plan version's document by key and version
     * @param usage       the period's usage by meter
     * @param adjustments the adjustments of earlier periods that go on this invoice (empty when they go elsewhere)
     * @param overrides   the customer's price overrides (those in force when the period is priced apply)
     * @param coupons     the customer's redeemed coupons and subscription discounts (those that apply to the period do)
     * @param progressive the live progressive invoices of the period: what each billed is deducted
     * @param grants      the customer's credit grants (their remaining balances now)
     * @param taxRate     the rate in force for the customer's tax region, or null (no tax)
     * @param now         when the invoice is made (finalized, or the draft read): credit usability and the ledger's time
     */
    public record Request(String invoiceId, String number, String customerId, String externalId, String currency, Subscription subscription,
            BillingPeriod period, BiFunction<String, Integer, PlanSpec> plans, List<PriceOverride> overrides, Map<String, Usage> usage,
            List<InvoiceDocumentV1.Adjustment> adjustments, List<Coupons.Redemption> coupons, List<ProgressiveBilling.Billed> progressive,
            List<CreditGrant> grants, TaxRate taxRate, RoundingPolicy rounding, Instant now, String finalizedBy, String reissueOf) {
        public Request {
            progressive = progressive == null ? List.of() : List.copyOf(progressive);
            coupons = coupons == null ? List.of() : List.copyOf(coupons);
            overrides = overrides == null ? List.of() : List.copyOf(overrides);
            usage = usage == null ? Map.of() : Map.copyOf(usage);
            adjustments = adjustments == null ? List.of() : List.copyOf(adjustments);
            grants = grants == null ? List.of() : List.copyOf(grants);
        }
    }

    /** The period priced: the plan version's phase and when it was read, the usage lines, the terms; total = Σ lines + Σ terms. */
    public record Priced(Subscription.Phase phase, Instant pricedAt, String currency, List<InvoiceDocumentV1.Line> lines,
            List<PeriodTerms.Line> terms, BigDecimal total) {
    }

    /**
     * The document, the credit that made its {@code creditsApplied} (null when no grant was used), the balances of
     * grants without rollover that lapse as the period closes (usable in it, unused: "use it or lose it"), and every
     * grant's balance after both — the ledger to record, and what the customer's next invoice sees.
     */
    public record Generated(InvoiceDocumentV1 document, Credits.Applied credits, List<LedgerEntry> lapsed, List<CreditGrant> grantsAfter,
            List<Coupons.Redemption> couponsAfter) {
    }

    /** The invoice document of {@code r}; a finalized one when {@code r} has an id and a number, else a draft. */
    public static Generated generate(Request r) {
        Priced priced = price(r.subscription(), r.period(), r.currency(), r.plans(), r.overrides(), r.usage(), r.rounding());
        List<PeriodTerms.Line> coupons = Coupons.apply(priced.total(), priced.currency(), r.coupons(), r.subscription().subscriptionId(),
                r.period(), r.rounding());
        List<PeriodTerms.Line> terms = new ArrayList<>(priced.terms());
        terms.addAll(coupons);
        terms.addAll(ProgressiveBilling.deductions(r.progressive()));
        BigDecimal subtotal = priced.total();
        for (int i = priced.terms().size(); i < terms.size(); i++) {
            subtotal = subtotal.add(terms.get(i).amount());
        }
        for (InvoiceDocumentV1.Adjustment a : r.adjustments()) {
            subtotal = subtotal.add(a.amount());
        }
        InvoiceDocumentV1.Tax tax = r.taxRate() == null ? null
                : InvoiceDocumentV1.Tax.of(Taxes.apply(Money.of(subtotal, priced.currency()), r.taxRate(), r.rounding()));
        BigDecimal total = tax == null ? subtotal : tax.gross();
        BigDecimal applied = Money.zero(priced.currency()).amount(); // "0.00" in the currency's minor unit, as every amount
        Credits.Applied used = null;
        if (!r.grants().isEmpty()) {
            used = Credits.apply(Money.of(total, priced.currency()), r.grants(), r.now(), appliedReason(r.number(), r.now()));
            applied = used.applied().amount();
            if (used.ledger().isEmpty()) {
                used = null;
            }
        }
        List<CreditGrant> afterUse = used != null ? used.after() : r.grants();
        List<CreditGrant> lapsing = afterUse.stream().filter(g -> !g.rollover() && g.effectiveAt().isBefore(r.period().end())).toList();
        List<CreditGrant> grantsAfter = new ArrayList<>(afterUse.stream().filter(g -> !lapsing.contains(g)).toList());
        List<LedgerEntry> lapsed = Settlement.lapse(lapsing, r.period().end(), grantsAfter);
        boolean finalized = r.number() != null;
        InvoiceDocumentV1 document = new InvoiceDocumentV1(r.invoiceId(), r.number(), r.customerId(), r.externalId(),
                r.subscription().subscriptionId(), priced.phase().planKey(), priced.phase().planVersion(), priced.currency(), r.period().start(),
                r.period().end(), priced.pricedAt(), priced.lines(), List.copyOf(terms), r.adjustments(), subtotal, tax, total, applied,
                total.subtract(applied), ROUNDING, finalized ? r.now() : null, finalized ? r.finalizedBy() : null, r.reissueOf(),
                InvoiceKind.USAGE.wire(), creditUses(used, r.grants()));
        return new Generated(document, used, lapsed, grantsAfter, Coupons.after(r.coupons(), coupons));
    }

    /** What each grant gave, with its funding, in the order applied (none without credit). */
    private static List<InvoiceDocumentV1.CreditUse> creditUses(Credits.Applied used, List<CreditGrant> grants) {
        if (used == null) {
            return List.of();
        }
        Map<String, CreditGrant> byId = new HashMap<>();
        grants.forEach(g -> byId.put(g.id(), g));
        List<InvoiceDocumentV1.CreditUse> out = new ArrayList<>();
        for (LedgerEntry e : used.ledger()) {
            if (e.kind() == LedgerEntry.Kind.APPLIED) {
                out.add(new InvoiceDocumentV1.CreditUse(e.grantId(), byId.get(e.grantId()).funding().wire(), e.amount().amount()));
            }
        }
        return out;
    }

    /** What a credit ledger entry says when credit is applied to an invoice. */
    public static String appliedReason(String number, Instant at) {
        return "applied to invoice " + number + " at " + at;
    }

    /**
     * The instant a period is priced at: its last instant, moved into the subscription when the subscription ends
     * first (the plan version in force then prices the period).
     */
    public static Instant pricedAt(Subscription s, BillingPeriod period) {
        Instant at = period.lastInstant();
        if (at.isBefore(s.start())) {
            return s.start();
        }
        return s.end() != null && !at.isBefore(s.end()) ? s.end().minusNanos(1_000) : at;
    }

    /**
     * The plan version that prices {@code period} of {@code s} — the one in force at {@link #pricedAt} — with the
     * customer's price overrides in force then applied ({@link PriceOverrides}).
     */
    public static PriceOverrides.Applied planFor(Subscription s, BillingPeriod period, BiFunction<String, Integer, PlanSpec> plans,
            List<PriceOverride> overrides) {
        Instant at = pricedAt(s, period);
        Subscription.Phase phase = s.phaseAt(at).orElseThrow();
        return PriceOverrides.apply(plans.apply(phase.planKey(), phase.planVersion()), phase.planKey(), s.customerId(), s.subscriptionId(), at,
                overrides);
    }

    /**
     * {@code period} of {@code s} priced: one line per charged meter, each segment of the period priced by the plan version
     * in force in it ({@link PhasedCharges}; one segment, the version at {@link #pricedAt}, when the plan did not change),
     * with the customer's overrides then, each named in its line's explanation, each line rounded once; then the fixed
     * fees of every plan version in force during the period (prorated by seconds), then the discounts and minimum
     * commitment of the plan version at {@link #pricedAt}.
     */
    public static Priced price(Subscription s, BillingPeriod period, String currency, BiFunction<String, Integer, PlanSpec> plans,
            List<PriceOverride> overrides, Map<String, Usage> usage, RoundingPolicy rounding) {
        Instant at = pricedAt(s, period);
        Subscription.Phase phase = s.phaseAt(at).orElseThrow();
        PriceOverrides.Applied atEnd = planFor(s, period, plans, overrides);
        PlanSpec spec = atEnd.spec();
        Map<String, PlanCharges.MeterUsage> quantities = new HashMap<>();
        usage.forEach((meter, u) -> quantities.put(meter, u.meterUsage()));
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(s, period, plans, overrides);
        if (segments.isEmpty()) { // a period outside the subscription (never closed): the version at pricedAt, as before
            segments = List.of(new PhasedCharges.PlanSegment(new Subscription.Segment(period.start(), period.end(), phase), atEnd));
        }
        List<InvoiceDocumentV1.Line> lines = new ArrayList<>();
        Money usageTotal = Money.zero(currency);
        for (PhasedCharges.Line pl : PhasedCharges.price(currency, period, segments, quantities, rounding)) {
            InvoiceLine l = pl.line();
            Usage u = usage.get(l.meterKey());
            lines.add(new InvoiceDocumentV1.Line(l.meterKey(), l.description(), pl.priceModel(), Decimals.normalized(l.quantity()),
                    l.eventCount(), u == null ? 0 : u.version(), Decimals.normalized(l.unroundedAmount()), l.amount().amount(),
                    pl.explanation(), pl.override() == null ? null : pl.override().overrideId()));
            usageTotal = usageTotal.plus(l.amount());
        }
        List<PeriodTerms.Line> terms = new ArrayList<>(PeriodTerms.fixedFees(s, period, usageTotal.currency(),
                (key, version) -> plans.apply(key, version).terms(), rounding));
        BigDecimal running = usageTotal.amount();
        for (PeriodTerms.Line t : terms) {
            running = running.add(t.amount());
        }
        List<PeriodTerms.Line> adjusting = PeriodTerms.discountsAndMinimum(running, usageTotal.currency(), spec.terms(),
                spec.terms() == null ? 0 : PeriodTerms.periodIndex(s, period), rounding);
        for (PeriodTerms.Line t : adjusting) {
            running = running.add(t.amount());
        }
        terms.addAll(adjusting);
        return new Priced(phase, at, usageTotal.currency(), List.copyOf(lines), List.copyOf(terms), running);
    }
}
