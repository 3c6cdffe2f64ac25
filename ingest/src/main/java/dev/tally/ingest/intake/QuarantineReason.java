package dev.tally.ingest.intake;

import dev.tally.model.ClosedSet;

/**
 * Why an accepted-looking event waits in quarantine instead of being rated: its customer is not known (yet), or it
 * names none and nothing (alias, API key) attributes it. The database's check constraint on {@code quarantine.reason}
 * holds exactly these.
 */
public enum QuarantineReason implements ClosedSet {
    UNKNOWN_CUSTOMER, UNATTRIBUTED;

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static QuarantineReason of(String wire) {
        return ClosedSet.of(QuarantineReason.class, wire);
    }
}
