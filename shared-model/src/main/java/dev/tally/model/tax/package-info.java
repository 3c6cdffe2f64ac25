/** Taxes on invoices: rates by tax region, inclusive or exclusive, applied with one rounding. */
package dev.tally.model.tax;
