package dev.tally.invoicing.reconcile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tally.model.ClosedSet;

/** What kind of difference a reconciled key shows; every kind but {@link #PENDING} is drift (and raises the webhook). */
public enum DriftKind implements ClosedSet {
    /** Rating differs from the events: something was counted wrong. */
    RATING,
    /**
     * Rating agrees with the events but the invoices do not, the customer has no period left to close, and the usage
     * arrived long enough ago (the tenant's close grace and some) that a stand-alone adjustment invoice should have
     * billed it: a fault (the closer failing, say).
     */
    STRANDED,
    /** Rating agrees, the invoices do not, and the usage was rated before the customer's last close, which should have adjusted it. */
    UNSETTLED,
    /**
     * Rating agrees; the usage changed after the customer's last close, and the customer's next close bills the difference
     * (with no period left: a stand-alone adjustment invoice, once the usage has been quiet for the close grace).
     */
    PENDING;

    /** As reports spell it. */
    @JsonValue
    @Override
    public String wire() {
        return ClosedSet.super.wire();
    }

    /** The kind spelled {@code wire} (a stored report read back); an unknown spelling is an error. */
    @JsonCreator
    public static DriftKind of(String wire) {
        return ClosedSet.of(DriftKind.class, wire);
    }
}
