package dev.tally.invoicing.payment;

import dev.tally.model.ClosedSet;

/**
 * Where a provider job stands: {@code pending} (to run, or to retry with back-off), {@code done}, or {@code failed}
 * (gave up after its attempts). The database's check constraint on {@code provider_job.status} holds exactly these.
 */
public enum ProviderJobStatus implements ClosedSet {
    PENDING, DONE, FAILED;

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static ProviderJobStatus of(String wire) {
        return ClosedSet.of(ProviderJobStatus.class, wire);
    }
}
