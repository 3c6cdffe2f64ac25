/**
 * Invoicing: the catalog of record (tenants, API keys, meters, plans, customers), the usage
 * snapshots rating publishes, and invoices computed from them by shared-model's pure calculator.
 */
package dev.tally.invoicing;
