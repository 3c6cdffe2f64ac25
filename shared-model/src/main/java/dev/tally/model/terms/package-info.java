/**
 * Commercial terms applied on top of priced usage, in one documented order: proration of fixed
 * fees, discounts, minimum commitment true-up, then prepaid credits. Pure functions of their
 * inputs; every adjustment is its own line, and credits leave ledger entries.
 */
package dev.tally.model.terms;
