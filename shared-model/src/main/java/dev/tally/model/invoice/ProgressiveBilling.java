package dev.tally.model.invoice;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.tax.Taxes;
import dev.tally.model.terms.PeriodTerms;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Progressive (threshold) billing: once a customer's usage charges in the open period reach its threshold above what
 * progressive invoices of the period already billed, a progressive invoice bills them — the period's usage lines to
 * date, less what earlier progressive invoices billed — so a customer cannot run up a large bill and disappear. The
 * period's final invoice deducts what every live progressive invoice of the period billed (before tax), so the
 * progressive invoices and the final one add up, before tax, to the period priced once. Pure.
 */
public final class ProgressiveBilling {
    /** The key prefix of a deduction line: {@code progressive:<invoiceId>}. */
    public static final String KEY_PREFIX = "progressive:";

    private ProgressiveBilling() {
    }

    /** A live progressive invoice of the period and what it billed before tax. */
    public record Billed(String invoiceId, String number, BigDecimal subtotal) {
    }

    /** The period's usage charges to date: the sum of its usage lines (fixed fees and terms wait for the final invoice). */
    public static BigDecimal usageToDate(InvoiceGenerator.Priced priced) {
        return priced.lines().stream().map(InvoiceDocumentV1.Line::amount).reduce(Money.zero(priced.currency()).amount(), BigDecimal::add);
    }

    /** What a progressive invoice would bill now: the usage to date less what the period's progressive invoices billed. */
    public static BigDecimal unbilled(BigDecimal usageToDate, List<Billed> billed) {
        BigDecimal left = usageToDate;
        for (Billed b : billed) {
            left = left.subtract(b.subtotal());
        }
        return left;
    }

    /** Whether the unbilled usage reached the threshold (a positive amount). */
    public static boolean due(BigDecimal usageToDate, List<Billed> billed, BigDecimal threshold) {
        return threshold.signum() > 0 && unbilled(usageToDate, billed).compareTo(threshold) >= 0;
    }

    /** The deduction lines of a period's invoice for what its progressive invoices billed, in the order they were issued. */
    public static List<PeriodTerms.Line> deductions(List<Billed> billed) {
        List<PeriodTerms.Line> out = new ArrayList<>();
        for (Billed b : billed) {
            out.add(new PeriodTerms.Line(KEY_PREFIX + b.invoiceId(), "progressive", "billed on progressive invoice " + b.number() + ": −"
                    + b.subtotal().toPlainString(), b.subtotal().negate()));
        }
        return out;
    }

    /**
     * A progressive invoice: {@code priced}'s usage lines (the period to date), less what {@code billed} progressive
     * invoices of the period already billed, taxed on its own subtotal. Prepaid credit waits for the final invoice.
     */
    public static InvoiceDocumentV1 document(String invoiceId, String number, String customerId, String externalId, Subscription s,
            BillingPeriod period, InvoiceGenerator.Priced priced, List<Billed> billed, TaxRate taxRate, RoundingPolicy rounding, Instant now,
            String actor) {
        String currency = priced.currency();
        BigDecimal subtotal = unbilled(usageToDate(priced), billed);
        InvoiceDocumentV1.Tax tax = taxRate == null ? null : InvoiceDocumentV1.Tax.of(Taxes.apply(Money.of(subtotal, currency), taxRate, rounding));
        BigDecimal total = tax == null ? subtotal : tax.gross();
        return new InvoiceDocumentV1(invoiceId, number, customerId, externalId, s.subscriptionId(), priced.phase().planKey(),
                priced.phase().planVersion(), currency, period.start(), period.end(), priced.pricedAt(), priced.lines(), deductions(billed), List.of(),
                subtotal, tax, total, Money.zero(currency).amount(), total, InvoiceGenerator.ROUNDING, now, actor, null,
                InvoiceKind.PROGRESSIVE.wire(), List.of());
    }
}
