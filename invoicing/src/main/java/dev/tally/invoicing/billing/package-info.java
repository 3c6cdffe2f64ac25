/** Closing billing periods into finalized invoices, and what happens to an invoice after: payment, void, reissue. */
package dev.tally.invoicing.billing;
