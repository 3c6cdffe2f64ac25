/** Prepaid credit grants per customer and their ledger. */
package dev.tally.invoicing.credit;
