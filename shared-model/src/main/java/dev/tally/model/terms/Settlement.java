package dev.tally.model.terms;

import dev.tally.model.invoice.Invoice;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.Decimals;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@link Terms} to a priced-usage {@link Invoice}, in this order (documented in
 * docs/pricing.md): usage lines + prorated fixed fees = subtotal; discounts (each a negative line,
 * rounded once); minimum commitment true-up (if the discounted subtotal is below it); then prepaid
 * credits against the total, leaving ledger entries. Every adjustment is a line; the lines always
 * sum to {@code total}, and {@code amountDue = total − credits applied}.
 */
public final class Settlement {
    private Settlement() {
    }

    public record Line(String kind, String text, Money amount) {
    }

    public record Result(List<Line> lines, Money total, Money creditsApplied, Money amountDue, List<LedgerEntry> ledger,
            List<CreditGrant> grantsAfter) {
    }

    public static Result settle(Invoice usage, Terms terms, Instant at, RoundingPolicy rounding) {
        String currency = usage.currency();
        List<Line> lines = new ArrayList<>();
        Money subtotal = Money.zero(currency);
        for (var l : usage.lines()) {
            lines.add(new Line("usage", l.description(), l.amount()));
            subtotal = subtotal.plus(l.amount());
        }
        for (Proration.Prorated f : terms.fixedFees()) {
            lines.add(new Line("fixed", f.explanation(), f.amount()));
            subtotal = subtotal.plus(f.amount());
        }
        Money running = subtotal;
        for (Line l : discountsAndMinimum(running, terms.discounts(), terms.minimumCommitment(), terms.periodIndex(), rounding)) {
            lines.add(l);
            running = running.plus(l.amount());
        }
        Money total = running;
        if (sum(lines).compareTo(total.amount()) != 0) {
            throw new IllegalStateException("settlement lines do not sum to the total");
        }

        // credits: most at risk of being lost first
        Credits.Applied credits = Credits.apply(total, terms.credits(), at, "applied to invoice at " + at);
        return new Result(lines, total, credits.applied(), credits.due(), credits.ledger(), credits.after());
    }

    /**
     * The discounts (in order, each on what the previous left; a percentage rounded once, an amount never below
     * zero) and then the minimum commitment's true-up, on a period's {@code running} subtotal: each a line whose
     * amount is negative (discount) or positive (true-up).
     */
    public static List<Line> discountsAndMinimum(Money running, List<Discount> discounts, Money minimumCommitment, int periodIndex,
            RoundingPolicy rounding) {
        String currency = running.currency();
        List<Line> lines = new ArrayList<>();
        for (Discount d : discounts) {
            if (!d.appliesTo(periodIndex) || running.isZero() || running.amount().signum() < 0) {
                continue;
            }
            Money off = switch (d.kind()) {
                case PERCENT -> rounding.toMoney(running.amount().multiply(d.value()).movePointLeft(2), currency);
                case AMOUNT -> {
                    Money amount = rounding.toMoney(d.value(), currency);
                    yield amount.compareTo(running) > 0 ? running : amount;
                }
            };
            String text = d.name() + ": " + (d.kind() == Discount.Kind.PERCENT ? Decimals.plain(d.value()) + " % of " + running : "")
                    + (d.kind() == Discount.Kind.AMOUNT ? "amount off " + currency + " " + Decimals.plain(d.value()) : "")
                    + " = −" + off;
            lines.add(new Line("discount", text, Money.zero(currency).minus(off)));
            running = running.minus(off);
        }
        if (minimumCommitment != null && running.compareTo(minimumCommitment) < 0) {
            Money trueUp = minimumCommitment.minus(running);
            lines.add(new Line("minimum", "minimum commitment " + minimumCommitment + ", period came to " + running
                    + ": true-up +" + trueUp, trueUp));
        }
        return lines;
    }

    /**
     * Closes a period for the grants: a grant without rollover whose balance is left lapses (a
     * ledger entry records it); grants that expire by {@code periodEnd} lapse too.
     */
    public static List<LedgerEntry> lapse(List<CreditGrant> grants, Instant periodEnd, List<CreditGrant> kept) {
        List<LedgerEntry> out = new ArrayList<>();
        for (CreditGrant g : grants) {
            boolean expired = g.expiresAt() != null && !g.expiresAt().isAfter(periodEnd);
            if ((expired || !g.rollover()) && !g.remaining().isZero()) {
                out.add(new LedgerEntry(g.id(), LedgerEntry.Kind.LAPSED, g.remaining(), Money.zero(g.remaining().currency()),
                        expired ? "expired" : "no rollover at period end"));
                kept.add(g.withRemaining(Money.zero(g.remaining().currency())));
            } else {
                kept.add(g);
            }
        }
        return out;
    }

    static BigDecimal sum(List<Line> lines) {
        return lines.stream().map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
