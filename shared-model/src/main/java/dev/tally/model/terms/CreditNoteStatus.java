package dev.tally.model.terms;

import dev.tally.model.ClosedSet;

/**
 * Where a credit note stands: {@code pending_approval} (above the tenant's threshold, waiting for finance; nothing
 * settled), {@code issued} (numbered, settled against the invoice), or {@code rejected}. The database's check constraint
 * on {@code credit_note.status} holds exactly these.
 */
public enum CreditNoteStatus implements ClosedSet {
    PENDING_APPROVAL, ISSUED, REJECTED;

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static CreditNoteStatus of(String wire) {
        return ClosedSet.of(CreditNoteStatus.class, wire);
    }
}
