package dev.tally.model.terms;

import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.tax.TaxRate;
import dev.tally.model.tax.Taxes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Credit notes against a finalized invoice, as pure functions: what a note credits (per line, or everything
 * still creditable), its tax, and how its total is settled.
 *
 * <p>Amounts are the invoice's rounded line amounts (net of an exclusive tax, gross of an inclusive one); a note
 * never rounds a line. Its tax is rounded once, with the invoice's own rate: for an exclusive rate
 * {@code tax = round(subtotal × rate)}, except that the note which credits the last of every line takes exactly
 * the invoice's tax not credited yet, so full credit gives back the invoice total to the minor unit. No note
 * ever takes more tax than is left, nor more than the invoice total over all notes.
 */
public final class CreditNotes {
    private CreditNotes() {
    }

    /** A request the invoice cannot honour: which field and why (the API's 422). */
    public static final class Refused extends RuntimeException {
        private final String field;

        public Refused(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** A line of the invoice (a period line or an adjustment), its rounded amount and how much of it notes already credit. */
    public record Creditable(String key, String description, BigDecimal amount, BigDecimal credited) {
        public BigDecimal remaining() {
            return amount.subtract(credited);
        }
    }

    /** A line to credit and by how much (positive, at most what remains of it). */
    public record Requested(String key, BigDecimal amount) {
    }

    public record Line(String key, String description, BigDecimal amount) {
    }

    /**
     * The invoice as notes see it: its lines, subtotal, tax (null rate: none) and total, and what notes (pending
     * or issued) already take of its tax and total.
     */
    public record Invoice(String currency, List<Creditable> lines, TaxRate rate, BigDecimal tax, BigDecimal total, BigDecimal taxCredited,
            BigDecimal totalCredited) {
    }

    /** A note's content: its lines, subtotal (Σ lines), tax and total (subtotal plus an exclusive tax). */
    public record Computed(List<Line> lines, BigDecimal subtotal, BigDecimal tax, BigDecimal total, String taxExplanation) {
    }

    /**
     * Computes a note: {@code requested} null credits everything that remains of every line (a full credit note,
     * negative adjustment lines included, so it mirrors the invoice); otherwise the given lines by the given amounts.
     */
    public static Computed compute(Invoice invoice, List<Requested> requested, RoundingPolicy rounding) {
        String currency = invoice.currency();
        List<Line> lines = new ArrayList<>();
        if (requested == null) {
            for (Creditable l : invoice.lines()) {
                if (l.remaining().signum() != 0) {
                    lines.add(new Line(l.key(), l.description(), l.remaining()));
                }
            }
        } else {
            if (requested.isEmpty()) {
                throw new Refused("lines", "name at least one line to credit, or credit the whole invoice");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < requested.size(); i++) {
                Requested r = requested.get(i);
                String field = "lines[" + i + "]";
                Creditable l = invoice.lines().stream().filter(x -> x.key().equals(r.key())).findFirst()
                        .orElseThrow(() -> new Refused(field + ".line", "the invoice has no line '" + r.key() + "'"));
                if (!seen.add(r.key())) {
                    throw new Refused(field + ".line", "line '" + r.key() + "' is named twice");
                }
                if (r.amount() == null || r.amount().signum() <= 0) {
                    throw new Refused(field + ".amount", "the amount to credit must be positive");
                }
                BigDecimal amount = exact(r.amount(), currency, field + ".amount");
                if (amount.compareTo(l.remaining()) > 0) {
                    throw new Refused(field + ".amount", "line '" + r.key() + "' has " + plain(l.remaining().max(BigDecimal.ZERO)) + " " + currency
                            + " left to credit (of " + plain(l.amount()) + "), not " + plain(amount));
                }
                lines.add(new Line(l.key(), l.description(), amount));
            }
        }
        BigDecimal subtotal = lines.stream().map(Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (subtotal.signum() <= 0) {
            throw new Refused("lines", "nothing is left to credit on this invoice");
        }
        BigDecimal taxLeft = invoice.tax() == null ? BigDecimal.ZERO : invoice.tax().subtract(invoice.taxCredited());
        BigDecimal tax = BigDecimal.ZERO;
        String explanation = "no tax";
        if (invoice.rate() != null) {
            Taxes.Applied applied = Taxes.apply(Money.of(subtotal, currency), invoice.rate(), rounding);
            boolean last = lastOfEveryLine(invoice, lines);
            tax = last ? taxLeft : applied.tax().amount().min(taxLeft).max(BigDecimal.ZERO);
            explanation = last ? invoice.rate().name() + ": the invoice's tax not credited yet, " + plain(taxLeft) + " " + currency
                    : applied.explanation();
        }
        BigDecimal total = invoice.rate() != null && invoice.rate().inclusive() ? subtotal : subtotal.add(tax);
        BigDecimal left = invoice.total().subtract(invoice.totalCredited());
        if (total.compareTo(left) > 0) {
            throw new Refused("lines", "this note would credit " + plain(total) + " " + currency + ", but only " + plain(left.max(BigDecimal.ZERO))
                    + " of the invoice total " + plain(invoice.total()) + " is left to credit");
        }
        return new Computed(List.copyOf(lines), subtotal, tax, total, explanation);
    }

    /**
     * An SLA credit: {@code percent} of what the invoice charges net — Σ of its lines, discounts and other negative
     * lines included — rounded once to the minor unit (the policy's mode), spread over the lines with something left
     * to credit in proportion to what is left of each (each share rounded down, the remainder on the last), never
     * more than what is left of a line.
     */
    public static List<Requested> percentOf(Invoice invoice, BigDecimal percent, RoundingPolicy rounding) {
        if (percent == null || percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0 || percent.stripTrailingZeros().scale() > 4) {
            throw new Refused("percent", "percent must be in (0, 100] with at most 4 decimals");
        }
        BigDecimal net = BigDecimal.ZERO;
        for (Creditable l : invoice.lines()) {
            net = net.add(l.amount());
        }
        BigDecimal target = rounding.toMoney(net.max(BigDecimal.ZERO).multiply(percent).movePointLeft(2), invoice.currency()).amount();
        List<Creditable> open = invoice.lines().stream().filter(l -> l.remaining().signum() > 0).toList();
        BigDecimal left = open.stream().map(Creditable::remaining).reduce(BigDecimal.ZERO, BigDecimal::add);
        target = target.min(left);
        if (target.signum() <= 0) {
            throw new Refused("percent", percent.toPlainString() + " % of what is left on this invoice rounds to nothing");
        }
        int scale = target.scale();
        List<Requested> out = new ArrayList<>();
        BigDecimal given = BigDecimal.ZERO;
        for (int i = 0; i < open.size(); i++) {
            Creditable l = open.get(i);
            BigDecimal share = i == open.size() - 1 ? target.subtract(given)
                    : target.multiply(l.remaining()).divide(left, scale, RoundingMode.DOWN);
            share = share.min(l.remaining());
            if (share.signum() > 0) {
                out.add(new Requested(l.key(), share));
                given = given.add(share);
            }
        }
        if (given.compareTo(target) < 0) {
            // the last line could not take the remainder: spread it over the others' room
            for (int i = 0; i < out.size() && given.compareTo(target) < 0; i++) {
                Requested r = out.get(i);
                BigDecimal room = open.stream().filter(l -> l.key().equals(r.key())).findFirst().orElseThrow().remaining().subtract(r.amount());
                BigDecimal more = room.min(target.subtract(given));
                out.set(i, new Requested(r.key(), r.amount().add(more)));
                given = given.add(more);
            }
        }
        return out;
    }

    private static boolean lastOfEveryLine(Invoice invoice, List<Line> lines) {
        for (Creditable l : invoice.lines()) {
            BigDecimal taken = lines.stream().filter(x -> x.key().equals(l.key())).map(Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            if (l.remaining().subtract(taken).signum() != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * How an issued note's total is settled, in this order: against what is still due on the invoice
     * ({@code appliedToDue}), then refunded up to what the customer paid and was not refunded yet
     * ({@code refunded}; none when the note settles to credit), and the rest as prepaid credit ({@code credited}).
     * The three add up to the total.
     */
    public record Settled(BigDecimal appliedToDue, BigDecimal refunded, BigDecimal credited) {
    }

    public static Settled settle(BigDecimal total, BigDecimal stillDue, BigDecimal refundable, boolean toCredit) {
        if (total.signum() <= 0 || stillDue.signum() < 0 || refundable.signum() < 0) {
            throw new IllegalArgumentException("total must be positive, due and refundable not negative");
        }
        BigDecimal toDue = total.min(stillDue);
        BigDecimal rest = total.subtract(toDue);
        BigDecimal refunded = toCredit ? BigDecimal.ZERO : rest.min(refundable);
        return new Settled(toDue, refunded, rest.subtract(refunded));
    }

    private static BigDecimal exact(BigDecimal amount, String currency, String field) {
        try {
            return Money.of(amount, currency).amount();
        } catch (ArithmeticException e) {
            throw new Refused(field, plain(amount) + " has more decimals than " + currency + " allows");
        }
    }

    private static String plain(BigDecimal b) {
        return b.toPlainString();
    }
}
