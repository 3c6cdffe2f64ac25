package dev.tally.model.invoice;

import dev.tally.model.ClosedSet;

/**
 * What an invoice bills: a subscription period's usage and terms (one live invoice per period); a purchase of prepaid
 * credit — a prepaid commitment or one of its instalments (not tied to a usage period; many per customer); or a
 * period's usage to date once it crossed the customer's threshold, before the period ends ({@link ProgressiveBilling};
 * the period's usage invoice deducts it); or, stand-alone, the adjustments of earlier periods of a customer with no
 * period left to close ({@link AdjustmentInvoice}: late usage or a retraction after its last subscription ended). The
 * database's check constraint on {@code invoice.kind} holds exactly these.
 */
public enum InvoiceKind implements ClosedSet {
    USAGE, PURCHASE, PROGRESSIVE, ADJUSTMENT;

    public static InvoiceKind of(String wire) {
        return ClosedSet.of(InvoiceKind.class, wire);
    }
}
