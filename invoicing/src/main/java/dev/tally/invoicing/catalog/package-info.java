/** The catalog's tables (Panache entities) and its publication to the tally.catalog topic. */
package dev.tally.invoicing.catalog;
