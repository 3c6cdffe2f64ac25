package dev.tally.invoicing.payment;

import dev.tally.model.ClosedSet;

/**
 * Where a provider job stands: {@code pending} (to run, or to retry with back-off), {@code done}, or {@code failed}
 * (gave up after its attempts). The database's check constraint on {@code provider_job.status} holds exactly these.
 */
public enum ProviderJobStatus implements ClosedSet {
    PENDING("pending"), DONE("done"), FAILED("failed");

    private final String wire;

    ProviderJobStatus(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    public static ProviderJobStatus of(String wire) {
        return ClosedSet.of(ProviderJobStatus.class, wire);
    }
}
