package dev.tally.model.invoice;

import java.util.Arrays;

/**
 * Where a finalized invoice stands: {@code finalized} (issued, amount due open), {@code paid}, or {@code void}. The
 * database's check constraint on {@code invoice.status} holds exactly these (a test compares them); a draft is not
 * stored and has no status here.
 */
public enum InvoiceStatus {
    FINALIZED("finalized"), PAID("paid"), VOID("void");

    private final String wire;

    InvoiceStatus(String wire) {
        this.wire = wire;
    }

    /** As the API, the database and the messages spell it. */
    public String wire() {
        return wire;
    }

    /** The status spelled {@code wire}; an unknown spelling is an error. */
    public static InvoiceStatus of(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown invoice status '" + wire + "'"));
    }

    /** Whether {@code wire} spells this status. */
    public boolean is(String wire) {
        return this.wire.equals(wire);
    }
}
