package dev.tally.model.invoice;

import dev.tally.model.ClosedSet;

/**
 * Where a finalized invoice stands: {@code finalized} (issued, amount due open), {@code paid}, or {@code void}. The
 * database's check constraint on {@code invoice.status} holds exactly these (a test compares them); a draft is not
 * stored and has no status here.
 */
public enum InvoiceStatus implements ClosedSet {
    FINALIZED, PAID, VOID;

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static InvoiceStatus of(String wire) {
        return ClosedSet.of(InvoiceStatus.class, wire);
    }
}
