package dev.tally.model.tax;

import dev.tally.model.ClosedSet;
import dev.tally.model.metering.BillingPeriod;
import java.time.Instant;

/**
 * The tax point: which instant's tax rate an invoice applies — the end of the billing period (the supply's date, as
 * many VAT regimes have it) or the moment the invoice is finalized (the default). It matters when a rate changes
 * between the two. A tenant setting; the database's check constraint on {@code tenant.tax_point} holds exactly these.
 */
public enum TaxPoint implements ClosedSet {
    PERIOD_END, FINALIZATION;

    /** The instant whose rate applies to {@code period} invoiced (or previewed) at {@code finalizedAt}. */
    public Instant at(BillingPeriod period, Instant finalizedAt) {
        return this == PERIOD_END ? period.lastInstant() : finalizedAt;
    }

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static TaxPoint of(String wire) {
        return ClosedSet.of(TaxPoint.class, wire);
    }
}
