/**
 * Closing billing periods into finalized invoices, and what happens to an invoice after: payment, void, reissue.
 * {@link dev.tally.invoicing.billing.Invoices} is the transaction script (the pure {@code InvoiceGenerator} of
 * shared-model makes every document, draft and final); the tables have one owner each: {@code invoice} and
 * {@code invoiced_usage} ({@link dev.tally.invoicing.billing.InvoiceStore}), {@code billed_usage}
 * ({@link dev.tally.invoicing.billing.BilledUsage}, read for late usage by
 * {@link dev.tally.invoicing.billing.LateUsageAdjustments}), {@code invoice_counter}
 * ({@link dev.tally.invoicing.billing.InvoiceNumbers}). {@link dev.tally.invoicing.billing.PeriodCloser} decides
 * what is due and when; {@link dev.tally.invoicing.billing.InvoiceExplainer} answers "why does my bill look like this?".
 */
package dev.tally.invoicing.billing;
