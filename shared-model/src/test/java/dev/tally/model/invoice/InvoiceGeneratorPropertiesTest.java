package dev.tally.model.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.terms.CreditGrant;
import dev.tally.model.terms.LedgerEntry;
import dev.tally.model.terms.PeriodTerms;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The invoice function's arithmetic, for random plans (per-unit and graduated charges, fixed fees, discounts, a
 * minimum commitment, a mid-period plan change), usage, late-usage adjustments, credit grants and tax rates: a draft
 * and a finalized invoice made from the same inputs are the same document but for the id, number and finalization;
 * every amount is in the currency's minor unit; the totals are exactly their parts; credit never exceeds what is due
 * nor what the grants hold.
 */
class InvoiceGeneratorPropertiesTest {
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-10T00:00:00Z"));
    private static final Instant NOW = Instant.parse("2026-12-01T00:30:00Z");

    record Scenario(PlanSpec basic, PlanSpec pro, boolean upgraded, Map<String, InvoiceGenerator.Usage> usage,
            List<InvoiceDocumentV1.Adjustment> adjustments, List<CreditGrant> grants, TaxRate rate) {
    }

    @Property(tries = 300)
    void aDraftIsTheFinalizedInvoiceButForItsIdentity(@ForAll("scenarios") Scenario s) {
        InvoiceGenerator.Generated draft = InvoiceGenerator.generate(request(s, null, null));
        InvoiceGenerator.Generated fin = InvoiceGenerator.generate(request(s, "inv_1", "INV-2026-000001"));
        InvoiceDocumentV1 d = draft.document();
        InvoiceDocumentV1 f = fin.document();
        assertThat(d.invoiceId()).isNull();
        assertThat(d.finalizedAt()).isNull();
        assertThat(f.finalizedAt()).isEqualTo(NOW);
        assertThat(new InvoiceDocumentV1("inv_1", "INV-2026-000001", d.customerId(), d.externalId(), d.subscriptionId(), d.plan(),
                d.planVersion(), d.currency(), d.periodStart(), d.periodEnd(), d.pricedAt(), d.lines(), d.terms(), d.adjustments(), d.subtotal(),
                d.tax(), d.total(), d.creditsApplied(), d.amountDue(), d.rounding(), NOW, "closer", null, d.kind(), d.credits())).isEqualTo(f);
        assertThat(draft.credits() == null).isEqualTo(fin.credits() == null);
    }

    @Property(tries = 300)
    void creditIsConservedAndOnlyGrantsWithoutRolloverLapse(@ForAll("scenarios") Scenario s) {
        Assume.that(s.grants().stream().map(CreditGrant::id).distinct().count() == s.grants().size());
        InvoiceGenerator.Generated g = InvoiceGenerator.generate(request(s, "inv_1", "INV-1"));
        Map<String, BigDecimal> moved = new HashMap<>();
        BigDecimal applied = BigDecimal.ZERO;
        for (LedgerEntry e : g.credits() == null ? List.<LedgerEntry>of() : g.credits().ledger()) {
            moved.merge(e.grantId(), e.amount().amount(), BigDecimal::add);
            applied = applied.add(e.amount().amount());
        }
        assertThat(applied).isEqualByComparingTo(g.document().creditsApplied());
        for (LedgerEntry e : g.lapsed()) {
            assertThat(e.kind()).isEqualTo(LedgerEntry.Kind.LAPSED);
            moved.merge(e.grantId(), e.amount().amount(), BigDecimal::add);
        }
        Map<String, CreditGrant> after = new HashMap<>();
        g.grantsAfter().forEach(a -> after.put(a.id(), a));
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(s.grants().stream().map(CreditGrant::id).toList());
        for (CreditGrant before : s.grants()) {
            CreditGrant a = after.get(before.id());
            // every cent of a grant is still there, applied to this invoice, or lapsed — nothing more, nothing less
            assertThat(a.remaining().amount().add(moved.getOrDefault(before.id(), BigDecimal.ZERO))).as(before.id())
                    .isEqualByComparingTo(before.remaining().amount());
            if (before.rollover()) {
                assertThat(g.lapsed()).noneMatch(e -> e.grantId().equals(before.id()));
            } else {
                assertThat(a.remaining().isZero()).as("a grant without rollover usable in the period is used or lapses").isTrue();
            }
        }
    }

    @Property(tries = 300)
    void everyAmountIsInMinorUnitsAndTheTotalsAreExactlyTheirParts(@ForAll("scenarios") Scenario s) {
        InvoiceDocumentV1 doc = InvoiceGenerator.generate(request(s, "inv_1", "INV-1")).document();
        BigDecimal sum = BigDecimal.ZERO;
        for (InvoiceDocumentV1.Line l : doc.lines()) {
            assertThat(l.amount().scale()).as(l.meter()).isEqualTo(2);
            assertThat(l.amount().subtract(l.exactAmount()).abs()).as("rounded once").isLessThanOrEqualTo(new BigDecimal("0.005"));
            sum = sum.add(l.amount());
        }
        for (PeriodTerms.Line t : doc.terms()) {
            assertThat(t.amount().scale()).as(t.key()).isEqualTo(2);
            sum = sum.add(t.amount());
        }
        for (InvoiceDocumentV1.Adjustment a : doc.adjustments()) {
            sum = sum.add(a.amount());
        }
        assertThat(doc.subtotal()).isEqualByComparingTo(sum);
        BigDecimal exclusiveTax = doc.tax() == null || doc.tax().inclusive() ? BigDecimal.ZERO : doc.tax().tax();
        assertThat(doc.total()).isEqualByComparingTo(doc.subtotal().add(exclusiveTax));
        assertThat(doc.total().scale()).isEqualTo(2);
        assertThat(doc.amountDue()).isEqualByComparingTo(doc.total().subtract(doc.creditsApplied()));
        BigDecimal held = s.grants().stream().filter(g -> !g.effectiveAt().isAfter(NOW) && (g.expiresAt() == null || NOW.isBefore(g.expiresAt()))).map(g -> g.remaining().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(doc.creditsApplied()).isLessThanOrEqualTo(held.max(BigDecimal.ZERO));
        assertThat(doc.creditsApplied()).isLessThanOrEqualTo(doc.total().max(BigDecimal.ZERO));
        assertThat(doc.creditsApplied().signum()).isGreaterThanOrEqualTo(0);
        // the plan version in force at the period's last instant prices the usage
        assertThat(doc.plan()).isEqualTo(s.upgraded() ? "pro" : "basic");
        assertThat(doc.pricedAt()).isEqualTo(NOV.lastInstant());
    }

    private static InvoiceGenerator.Request request(Scenario s, String invoiceId, String number) {
        List<Subscription.Phase> phases = new ArrayList<>();
        Instant start = Instant.parse("2026-10-01T00:00:00Z");
        phases.add(new Subscription.Phase(start, "basic", 1, Subscription.Reason.START, null));
        if (s.upgraded()) {
            phases.add(new Subscription.Phase(Instant.parse("2026-11-16T12:00:00Z"), "pro", 1, Subscription.Reason.CHANGE, null));
        }
        Subscription sub = new Subscription("sub_1", "cus_1", start, null, BillingCycle.CALENDAR_MONTH, null, phases);
        return new InvoiceGenerator.Request(invoiceId, number, "cus_1", "acme", "USD", sub, NOV,
                (key, version) -> key.equals("pro") ? s.pro() : s.basic(), List.of(), s.usage(), s.adjustments(), List.of(), List.of(), s.grants(), s.rate(), RoundingPolicy.DEFAULT,
                NOW, number == null ? null : "closer", null);
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<BigDecimal> price = Arbitraries.bigDecimals().between(new BigDecimal("0.000001"), new BigDecimal("3")).ofScale(6);
        Arbitrary<BigDecimal> money = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("500")).ofScale(2);
        Arbitrary<BigDecimal> fees = Arbitraries.bigDecimals().between(new BigDecimal("0.01"), new BigDecimal("500")).ofScale(2);
        Arbitrary<PlanSpec> plan = Combinators.combine(price, price, fees, money, Arbitraries.of("none", "percent", "amount"),
                Arbitraries.of(true, false)).as((p1, p2, fee, minimum, discount, graduated) -> {
                    PlanSpec.PriceSpec second = graduated
                            ? new PlanSpec.PriceSpec("graduated", null, null, null, List.of(new PlanSpec.TierSpec(new BigDecimal("1000"), p2, null),
                                    new PlanSpec.TierSpec(null, p2.divide(new BigDecimal("2")), new BigDecimal("1.00"))), null, null, null, null, null,
                                    null, null, null, null, null)
                            : PlanSpec.PriceSpec.perUnit(p2.toPlainString());
                    List<PlanSpec.DiscountSpec> discounts = switch (discount) {
                        case "percent" -> List.of(new PlanSpec.DiscountSpec("launch", "percent", new BigDecimal("12.5"), 0));
                        case "amount" -> List.of(new PlanSpec.DiscountSpec("loyalty", "amount", new BigDecimal("7.77"), 0));
                        default -> null;
                    };
                    return new PlanSpec(1, "p", "Plan", "USD", List.of(new PlanSpec.ChargeSpec("requests", "Requests",
                            PlanSpec.PriceSpec.perUnit(p1.toPlainString())), new PlanSpec.ChargeSpec("bytes", "Bytes", second)),
                            new PlanSpec.TermsSpec(List.of(new PlanSpec.FixedFeeSpec("platform", "Platform fee", fee)), discounts,
                                    minimum.signum() == 0 ? null : minimum));
                });
        Arbitrary<BigDecimal> quantity = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("5000000")).ofScale(3);
        Arbitrary<Map<String, InvoiceGenerator.Usage>> usage = Combinators.combine(quantity, quantity, Arbitraries.longs().between(0, 100000))
                .as((requests, bytes, events) -> Map.of("requests", new InvoiceGenerator.Usage(requests, events, 3),
                        "bytes", new InvoiceGenerator.Usage(bytes, events, 4)));
        Arbitrary<InvoiceDocumentV1.Adjustment> adjustment = Arbitraries.bigDecimals().between(new BigDecimal("-200"), new BigDecimal("200"))
                .ofScale(2).map(amount -> new InvoiceDocumentV1.Adjustment("inv_0", "INV-0", Instant.parse("2026-10-01T00:00:00Z"),
                        Instant.parse("2026-11-01T00:00:00Z"), "requests", "Requests", BigDecimal.ONE, BigDecimal.TEN, 1, 2, new BigDecimal("1.00"),
                        new BigDecimal("1.00").add(amount), amount, List.of()));
        Arbitrary<CreditGrant> grant = Combinators.combine(money, Arbitraries.integers().between(0, 3), Arbitraries.of(true, false),
                Arbitraries.of(true, false))
                .as((balance, priority, expired, rollover) -> new CreditGrant("g" + priority + balance + rollover, Money.of(balance, "USD"), priority,
                        Instant.parse("2026-09-01T00:00:00Z"), expired ? Instant.parse("2026-11-30T00:00:00Z") : null, rollover));
        Arbitrary<TaxRate> rate = Combinators.combine(Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("27")).ofScale(3),
                Arbitraries.of(true, false)).as((pct, inclusive) -> new TaxRate("EU-DE", "VAT", pct, inclusive)).injectNull(0.3);
        return Combinators.combine(plan, plan, Arbitraries.of(true, false), usage, adjustment.list().ofMaxSize(3), grant.list().ofMaxSize(3), rate)
                .as(Scenario::new);
    }
}
