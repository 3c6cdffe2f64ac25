/**
 * Finance's figures (issue 24; docs/finance.md): revenue by month, currency, plan and meter from the finalized invoices
 * and credit notes — invoiced, tax, prepaid credit, due, paid, credited, outstanding — and usage per period, meter and
 * customer, for the console's charts and finance's month close, without querying production tables by hand.
 */
package dev.tally.invoicing.finance;
