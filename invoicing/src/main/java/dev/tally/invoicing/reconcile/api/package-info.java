/** Reconciliation over REST — run a recount now, and read the reports. Thin: each resource parses and checks its input, calls the class of {@code dev.tally.invoicing.reconcile} that owns the table, and maps the answer; problem+json on every error. */
package dev.tally.invoicing.reconcile.api;
