/**
 * Reconciliation: an independent recount of {@code tally.events.accepted} compared with rating's snapshots and the
 * invoices, drift by kind with the events behind it.
 */
package dev.tally.invoicing.reconcile;
