package dev.tally.model.invoice;

import dev.tally.model.ClosedSet;

/**
 * What an invoice bills: a subscription period's usage and terms (one live invoice per period), or a purchase of
 * prepaid credit — a prepaid commitment or one of its instalments (not tied to a usage period; many per customer). The
 * database's check constraint on {@code invoice.kind} holds exactly these.
 */
public enum InvoiceKind implements ClosedSet {
    USAGE, PURCHASE;

    public static InvoiceKind of(String wire) {
        return ClosedSet.of(InvoiceKind.class, wire);
    }
}
