package dev.tally.model.terms;

import dev.tally.model.ClosedSet;

/**
 * Where a refund stands at the payment provider: {@code pending} (asked, not final), {@code succeeded} or
 * {@code failed} (final; a failed refund's amount goes back to the customer as credit). The database's check
 * constraint on {@code refund.status} holds exactly these.
 */
public enum RefundStatus implements ClosedSet {
    PENDING, SUCCEEDED, FAILED;

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static RefundStatus of(String wire) {
        return ClosedSet.of(RefundStatus.class, wire);
    }
}
