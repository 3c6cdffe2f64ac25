package dev.tally.invoicing.payment;

import dev.tally.model.ClosedSet;

/**
 * What a provider job does: push a finalized invoice to the provider, ask it for a refund, bring a pushed invoice in
 * line after a payment, void or credit note elsewhere, or send a period's usage to a provider's meter ({@link UsageExport}). The database's check constraint on {@code provider_job.kind}
 * holds exactly these.
 */
public enum ProviderJobKind implements ClosedSet {
    PUSH_INVOICE, REFUND, SYNC_INVOICE, EXPORT_USAGE;

    /** The value spelled {@code wire}; an unknown spelling is an error. */
    public static ProviderJobKind of(String wire) {
        return ClosedSet.of(ProviderJobKind.class, wire);
    }
}
