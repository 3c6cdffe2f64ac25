package dev.tally.model.terms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.tax.Taxes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Credit notes: examples, refusals, and the property that notes never credit more than the invoice and a full credit gives back all of it. */
class CreditNotesTest {
    private static final TaxRate VAT = new TaxRate("DE", "VAT", new BigDecimal("19"), false);

    private static CreditNotes.Invoice invoice(TaxRate rate, BigDecimal tax, BigDecimal total, BigDecimal taxCredited, BigDecimal totalCredited,
            CreditNotes.Creditable... lines) {
        return new CreditNotes.Invoice("EUR", List.of(lines), rate, tax, total, taxCredited, totalCredited);
    }

    private static CreditNotes.Creditable line(String key, String amount, String credited) {
        return new CreditNotes.Creditable(key, key, new BigDecimal(amount), new BigDecimal(credited));
    }

    @Test
    void aPartialNoteTaxesItsSubtotalOnceAndTheLastNoteTakesTheTaxThatIsLeft() {
        // invoice: 10.00 + 0.05 = 10.05 net, VAT 19 % = 1.91 (1.9095 → 1.91), total 11.96
        CreditNotes.Invoice inv = invoice(VAT, new BigDecimal("1.91"), new BigDecimal("11.96"), BigDecimal.ZERO, BigDecimal.ZERO,
                line("line:api", "10.00", "0"), line("line:storage", "0.05", "0"));
        CreditNotes.Computed first = CreditNotes.compute(inv, List.of(new CreditNotes.Requested("line:api", new BigDecimal("10.00"))),
                RoundingPolicy.DEFAULT);
        assertThat(first.subtotal()).isEqualByComparingTo("10.00");
        assertThat(first.tax()).isEqualByComparingTo("1.90");
        assertThat(first.total()).isEqualByComparingTo("11.90");
        // the rest: 0.05 × 19 % would round to 0.01, but what is left of the tax is 0.01 too; the total left is 0.06
        CreditNotes.Invoice after = invoice(VAT, new BigDecimal("1.91"), new BigDecimal("11.96"), new BigDecimal("1.90"), new BigDecimal("11.90"),
                line("line:api", "10.00", "10.00"), line("line:storage", "0.05", "0"));
        CreditNotes.Computed rest = CreditNotes.compute(after, null, RoundingPolicy.DEFAULT);
        assertThat(rest.lines()).extracting(CreditNotes.Line::key).containsExactly("line:storage");
        assertThat(rest.tax()).isEqualByComparingTo("0.01");
        assertThat(rest.total()).isEqualByComparingTo("0.06");
        assertThat(rest.taxExplanation()).contains("not credited yet");
    }

    @Test
    void aFullNoteMirrorsTheInvoiceNegativeAdjustmentsIncluded() {
        CreditNotes.Invoice inv = invoice(null, null, new BigDecimal("7.00"), BigDecimal.ZERO, BigDecimal.ZERO,
                line("line:api", "9.00", "0"), line("adjustment:inv_1:api", "-2.00", "0"));
        CreditNotes.Computed full = CreditNotes.compute(inv, null, RoundingPolicy.DEFAULT);
        assertThat(full.subtotal()).isEqualByComparingTo("7.00");
        assertThat(full.total()).isEqualByComparingTo("7.00");
        assertThat(full.lines()).hasSize(2);
    }

    @Test
    void refusalsNameTheField() {
        CreditNotes.Invoice inv = invoice(null, null, new BigDecimal("7.00"), BigDecimal.ZERO, BigDecimal.ZERO,
                line("line:api", "9.00", "0"), line("adjustment:inv_1:api", "-2.00", "0"));
        assertRefused(inv, List.of(new CreditNotes.Requested("line:nope", BigDecimal.ONE)), "lines[0].line", "no line 'line:nope'");
        assertRefused(inv, List.of(new CreditNotes.Requested("line:api", new BigDecimal("9.01"))), "lines[0].amount", "9.00 EUR left");
        assertRefused(inv, List.of(new CreditNotes.Requested("line:api", new BigDecimal("1.001"))), "lines[0].amount", "more decimals");
        assertRefused(inv, List.of(new CreditNotes.Requested("line:api", BigDecimal.ZERO)), "lines[0].amount", "positive");
        assertRefused(inv, List.of(new CreditNotes.Requested("adjustment:inv_1:api", BigDecimal.ONE)), "lines[0].amount", "0 EUR left");
        assertRefused(inv, List.of(new CreditNotes.Requested("line:api", BigDecimal.ONE), new CreditNotes.Requested("line:api", BigDecimal.ONE)),
                "lines[1].line", "named twice");
        // 9.00 of the line, but the invoice total is only 7.00 (the negative adjustment)
        assertRefused(inv, List.of(new CreditNotes.Requested("line:api", new BigDecimal("9.00"))), "lines", "only 7.00 of the invoice total");
        assertRefused(inv, List.of(), "lines", "at least one line");
        CreditNotes.Invoice done = invoice(null, null, new BigDecimal("7.00"), BigDecimal.ZERO, new BigDecimal("7.00"),
                line("line:api", "9.00", "9.00"), line("adjustment:inv_1:api", "-2.00", "-2.00"));
        assertRefused(done, null, "lines", "nothing is left");
    }

    private static void assertRefused(CreditNotes.Invoice inv, List<CreditNotes.Requested> req, String field, String message) {
        assertThatThrownBy(() -> CreditNotes.compute(inv, req, RoundingPolicy.DEFAULT)).isInstanceOfSatisfying(CreditNotes.Refused.class,
                e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void anSlaCreditIsAPercentOfWhatTheInvoiceChargesNetDiscountsIncluded() {
        // 80.00 + 20.00 of usage, a 50 % discount (−50.00): net 50.00; 10 % SLA = 5.00, spread 4.00 / 1.00
        CreditNotes.Invoice inv = invoice(null, null, new BigDecimal("50.00"), BigDecimal.ZERO, BigDecimal.ZERO,
                line("line:a", "80.00", "0"), line("line:b", "20.00", "0"), line("discount:half", "-50.00", "0"));
        List<CreditNotes.Requested> sla = CreditNotes.percentOf(inv, BigDecimal.TEN, RoundingPolicy.DEFAULT);
        assertThat(sla).extracting(CreditNotes.Requested::amount).containsExactly(new BigDecimal("4.00"), new BigDecimal("1.00"));
        assertThat(CreditNotes.compute(inv, sla, RoundingPolicy.DEFAULT).total()).isEqualByComparingTo("5.00");
        // a third of 0.10 is 0.03 (rounded once); each share is rounded down (0.009 → 0.00) and the remainder goes on the last line
        CreditNotes.Invoice thirds = invoice(null, null, new BigDecimal("0.10"), BigDecimal.ZERO, BigDecimal.ZERO,
                line("line:a", "0.03", "0"), line("line:b", "0.03", "0"), line("line:c", "0.04", "0"));
        assertThat(CreditNotes.percentOf(thirds, new BigDecimal("33.3333"), RoundingPolicy.DEFAULT))
                .containsExactly(new CreditNotes.Requested("line:c", new BigDecimal("0.03")));
    }

    @Test
    void settlementGoesToWhatIsDueThenToARefundThenToCredit() {
        // unpaid, 3.00 of 10.00 was covered by prepaid credit: 7.00 reduces what is due, 3.00 goes back as credit
        assertThat(CreditNotes.settle(new BigDecimal("10.00"), new BigDecimal("7.00"), BigDecimal.ZERO, false))
                .isEqualTo(new CreditNotes.Settled(new BigDecimal("7.00"), BigDecimal.ZERO, new BigDecimal("3.00")));
        // paid 7.00, 2.00 of it refunded already: a 6.00 note refunds 5.00 and credits 1.00
        assertThat(CreditNotes.settle(new BigDecimal("6.00"), BigDecimal.ZERO, new BigDecimal("5.00"), false))
                .isEqualTo(new CreditNotes.Settled(BigDecimal.ZERO, new BigDecimal("5.00"), new BigDecimal("1.00")));
        assertThat(CreditNotes.settle(new BigDecimal("6.00"), BigDecimal.ZERO, new BigDecimal("5.00"), true))
                .isEqualTo(new CreditNotes.Settled(BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("6.00")));
    }

    /**
     * Any sequence of partial notes, then a full one: each note within what is left, and together they give back the
     * invoice's total and tax exactly.
     */
    @Property(tries = 300)
    void notesAddUpToTheInvoiceExactly(@ForAll @IntRange(min = 1, max = 6) int lineCount, @ForAll @IntRange(min = 0, max = 5) int partials,
            @ForAll long seed, @ForAll boolean inclusive, @ForAll boolean taxed) {
        Random r = new Random(seed);
        TaxRate rate = taxed ? new TaxRate("X", "VAT", BigDecimal.valueOf(r.nextInt(0, 300_000), 4), inclusive) : null;
        List<CreditNotes.Creditable> lines = new ArrayList<>();
        BigDecimal subtotal = BigDecimal.ZERO;
        for (int i = 0; i < lineCount; i++) {
            BigDecimal a = BigDecimal.valueOf(r.nextLong(1, 1_000_000), 2);
            lines.add(new CreditNotes.Creditable("l" + i, "l" + i, a, BigDecimal.ZERO));
            subtotal = subtotal.add(a);
        }
        BigDecimal tax = rate == null ? null : Taxes.apply(Money.of(subtotal, "EUR"), rate, RoundingPolicy.DEFAULT).tax().amount();
        BigDecimal total = rate == null || inclusive ? subtotal : subtotal.add(tax);
        Map<String, BigDecimal> credited = new HashMap<>();
        BigDecimal taxCredited = BigDecimal.ZERO;
        BigDecimal totalCredited = BigDecimal.ZERO;
        for (int n = 0; n <= partials; n++) {
            boolean full = n == partials;
            List<CreditNotes.Creditable> now = lines.stream().map(l -> new CreditNotes.Creditable(l.key(), l.description(), l.amount(),
                    credited.getOrDefault(l.key(), BigDecimal.ZERO))).toList();
            CreditNotes.Invoice inv = new CreditNotes.Invoice("EUR", now, rate, tax, total, taxCredited, totalCredited);
            List<CreditNotes.Requested> req = null;
            if (!full) {
                CreditNotes.Creditable pick = now.get(r.nextInt(now.size()));
                if (pick.remaining().signum() <= 0) {
                    continue;
                }
                req = List.of(new CreditNotes.Requested(pick.key(), BigDecimal.valueOf(r.nextLong(1, pick.remaining().movePointRight(2).longValueExact() + 1), 2)));
            } else if (totalCredited.compareTo(total) == 0) {
                break;
            }
            CreditNotes.Computed c = CreditNotes.compute(inv, req, RoundingPolicy.DEFAULT);
            assertThat(c.total()).isPositive();
            assertThat(c.tax()).isNotNegative();
            for (CreditNotes.Line l : c.lines()) {
                credited.merge(l.key(), l.amount(), BigDecimal::add);
            }
            taxCredited = taxCredited.add(c.tax());
            totalCredited = totalCredited.add(c.total());
            assertThat(totalCredited).isLessThanOrEqualTo(total);
        }
        assertThat(totalCredited).isEqualByComparingTo(total);
        assertThat(taxCredited).isEqualByComparingTo(tax == null ? BigDecimal.ZERO : tax);
    }
}
