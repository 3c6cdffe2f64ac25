package dev.tally.model.terms;

import dev.tally.model.ClosedSet;

/**
 * Where a credit note stands: {@code pending_approval} (above the tenant's threshold, waiting for finance; nothing
 * settled), {@code issued} (numbered, settled against the invoice), or {@code rejected}. The database's check constraint
 * on {@code credit_note.status} holds exactly these.
 */
public enum CreditNoteStatus implements ClosedSet {
    PENDING_APPROVAL("pending_approval"), ISSUED("issued"), REJECTED("rejected");

    private final String wire;

    CreditNoteStatus(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    public static CreditNoteStatus of(String wire) {
        return ClosedSet.of(CreditNoteStatus.class, wire);
    }
}
