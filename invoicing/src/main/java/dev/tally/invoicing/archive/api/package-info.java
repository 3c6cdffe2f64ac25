/** The event archive's operator endpoints: its state and the janitor on demand. */
package dev.tally.invoicing.archive.api;
