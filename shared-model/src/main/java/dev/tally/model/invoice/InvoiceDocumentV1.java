package dev.tally.model.invoice;

import dev.tally.model.tax.Taxes;
import dev.tally.model.terms.PeriodTerms;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An invoice as a document, version 1: what a draft previews and what a finalized invoice stores (its JSON is the
 * stored document), made by {@link InvoiceGenerator}. The period's usage lines, its terms (fixed fees, discounts,
 * minimum commitment true-up), then the adjustments of earlier periods; {@code subtotal} = Σ line amounts + Σ terms +
 * Σ adjustment amounts; {@code total} = the subtotal plus an exclusive tax (an inclusive one is already in it;
 * {@code tax} null: no rate for the customer's tax region); {@code amountDue} = total − {@code creditsApplied}
 * (prepaid credit burnt down), {@code credits} saying how much of it each grant gave, by funding. A draft has no id,
 * number nor finalization yet. {@code kind} (an {@link InvoiceKind}): a period's usage, or a purchase of prepaid credit
 * (no usage period: its one term line is the purchase or instalment).
 */
public record InvoiceDocumentV1(String invoiceId, String number, String customerId, String externalId, String subscriptionId, String plan,
        int planVersion, String currency, Instant periodStart, Instant periodEnd, Instant pricedAt, List<Line> lines,
        List<PeriodTerms.Line> terms, List<Adjustment> adjustments, BigDecimal subtotal, Tax tax, BigDecimal total, BigDecimal creditsApplied,
        BigDecimal amountDue, String rounding, Instant finalizedAt, String finalizedBy, String reissueOf, String kind, List<CreditUse> credits) {
    public InvoiceDocumentV1 {
        kind = kind == null ? InvoiceKind.USAGE.wire() : kind; // documents stored before kinds existed bill usage
        credits = credits == null ? List.of() : List.copyOf(credits);
        lines = lines == null ? List.of() : List.copyOf(lines);
        terms = terms == null ? List.of() : List.copyOf(terms);
        adjustments = adjustments == null ? List.of() : List.copyOf(adjustments);
    }

    /** Prepaid credit one grant gave this invoice: {@code funding} promotional or purchased (a prepaid commitment's drawdown). */
    public record CreditUse(String grantId, String funding, BigDecimal amount) {
    }

    /**
     * One usage line: the charge, its usage (and the snapshot version it saw), the exact and rounded amounts, the steps,
     * and the customer's price override that priced it instead of the plan (null: the plan's price).
     */
    public record Line(String meter, String description, String priceModel, BigDecimal quantity, long eventCount, long usageVersion,
            BigDecimal exactAmount, BigDecimal amount, List<String> explanation, String priceOverride) {
    }

    /**
     * Usage that reached an earlier, finalized period after its invoice: the meter's line as that invoice's plan
     * version prices the period's usage now, minus what was billed for it so far (each rounded once, as on an
     * invoice). Negative when usage was retracted. A term's adjustment ({@code meter} is the term's key) re-prices the
     * period's terms from its usage lines as they stand now.
     *
     * @param invoiceId     the period's invoice
     * @param invoiceNumber its number
     */
    public record Adjustment(String invoiceId, String invoiceNumber, Instant periodStart, Instant periodEnd, String meter, String description,
            BigDecimal quantityBefore, BigDecimal quantityAfter, long eventCountBefore, long eventCountAfter, BigDecimal amountBefore,
            BigDecimal amountAfter, BigDecimal amount, List<String> explanation) {
    }

    /**
     * The tax as applied (copied from the rate in force): exclusive — {@code tax} comes on top of the subtotal
     * ({@code net}); inclusive — the subtotal is {@code gross} and {@code tax} is the part of it that is tax.
     */
    public record Tax(String region, String name, BigDecimal ratePercent, boolean inclusive, BigDecimal net, BigDecimal tax, BigDecimal gross,
            String explanation) {
        public static Tax of(Taxes.Applied a) {
            return new Tax(a.rate().region(), a.rate().name(), a.rate().ratePercent(), a.rate().inclusive(), a.net().amount(), a.tax().amount(),
                    a.gross().amount(), a.explanation());
        }
    }
}
