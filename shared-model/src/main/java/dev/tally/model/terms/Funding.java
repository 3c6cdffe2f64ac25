package dev.tally.model.terms;

import dev.tally.model.ClosedSet;

/**
 * How a credit grant is funded: given free (a promotion, a goodwill gesture) or bought by the customer (a prepaid
 * commitment, a top-up) — then invoiced, up front or in instalments. Invoices show credit of each funding on its own.
 * The database's check constraint on {@code credit_grant.funding} holds exactly these.
 */
public enum Funding implements ClosedSet {
    PROMOTIONAL, PURCHASED;

    public static Funding of(String wire) {
        return ClosedSet.of(Funding.class, wire);
    }
}
