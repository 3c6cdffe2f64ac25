/** Prepaid credit over REST — a customer's grants and the ledger that burns them down. Thin: each resource parses and checks its input, calls the class of {@code dev.tally.invoicing.credit} that owns the table, and maps the answer; problem+json on every error. */
package dev.tally.invoicing.credit.api;
