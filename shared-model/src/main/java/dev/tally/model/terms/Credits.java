package dev.tally.model.terms;

import dev.tally.model.money.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Prepaid credit burning down an amount due, in the documented order: lower {@code priority} first, then the grant
 * that expires soonest (never-expiring last), then the older grant, then by id — the credit most at risk of being
 * lost goes first. Only grants in the amount's currency and usable at {@code at} apply; nothing applies to an amount
 * of zero or less. Exact: no rounding (amounts are already in minor units).
 */
public final class Credits {
    private Credits() {
    }

    /** What was applied, what is still due, one ledger entry per grant used, and every grant's balance after. */
    public record Applied(Money applied, Money due, List<LedgerEntry> ledger, List<CreditGrant> after) {
    }

    public static final Comparator<CreditGrant> ORDER = Comparator.comparingInt(CreditGrant::priority)
            .thenComparing(g -> g.expiresAt() == null ? Instant.MAX : g.expiresAt())
            .thenComparing(CreditGrant::effectiveAt)
            .thenComparing(CreditGrant::id);

    public static Applied apply(Money amount, List<CreditGrant> grants, Instant at, String reason) {
        List<CreditGrant> order = new ArrayList<>(grants);
        order.sort(ORDER);
        List<LedgerEntry> ledger = new ArrayList<>();
        List<CreditGrant> after = new ArrayList<>();
        Money left = amount;
        Money applied = Money.zero(amount.currency());
        for (CreditGrant g : order) {
            if (!g.remaining().currency().equals(amount.currency()) || !g.usableAt(at) || left.amount().signum() <= 0
                    || g.remaining().isZero()) {
                after.add(g);
                continue;
            }
            Money use = g.remaining().compareTo(left) < 0 ? g.remaining() : left;
            Money balance = g.remaining().minus(use);
            ledger.add(new LedgerEntry(g.id(), LedgerEntry.Kind.APPLIED, use, balance, reason));
            after.add(g.withRemaining(balance));
            left = left.minus(use);
            applied = applied.plus(use);
        }
        return new Applied(applied, amount.minus(applied), ledger, after);
    }
}
