package dev.tally.model.terms;

import dev.tally.model.money.Money;
import java.time.Instant;

/**
 * Prepaid credit. Applied to invoices in a documented order: lower {@code priority} first, then
 * the grant that expires soonest, then the older grant, then by id — so the credit most at risk of
 * being lost is used first. A grant without {@code rollover} lapses at the end of the period it was
 * first usable in; with it, the unused balance carries over until {@code expiresAt}.
 *
 * @param remaining balance left, in the grant's currency
 * @param expiresAt null = never
 * @param funding   promotional (free) or purchased (invoiced); shown apart on invoices
 */
public record CreditGrant(String id, Money remaining, int priority, Instant effectiveAt, Instant expiresAt, boolean rollover, Funding funding) {
    public CreditGrant {
        if (remaining.amount().signum() < 0) {
            throw new IllegalArgumentException("a grant's balance cannot be negative");
        }
        funding = funding == null ? Funding.PROMOTIONAL : funding;
    }

    /** A promotional grant. */
    public CreditGrant(String id, Money remaining, int priority, Instant effectiveAt, Instant expiresAt, boolean rollover) {
        this(id, remaining, priority, effectiveAt, expiresAt, rollover, Funding.PROMOTIONAL);
    }

    boolean usableAt(Instant at) {
        return !effectiveAt.isAfter(at) && (expiresAt == null || at.isBefore(expiresAt));
    }

    CreditGrant withRemaining(Money m) {
        return new CreditGrant(id, m, priority, effectiveAt, expiresAt, rollover, funding);
    }
}
