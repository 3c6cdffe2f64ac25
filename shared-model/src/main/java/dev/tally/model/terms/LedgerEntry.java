package dev.tally.model.terms;

import dev.tally.model.money.Money;

/** One movement on a credit grant: applied to an invoice, or lapsed. {@code balanceAfter} makes the ledger auditable line by line. */
public record LedgerEntry(String grantId, Kind kind, Money amount, Money balanceAfter, String reason) {
    public enum Kind { APPLIED, LAPSED }
}
