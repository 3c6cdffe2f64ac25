/** Tax rates over REST — one dated rate per tax region. Thin: each resource parses and checks its input, calls the class of {@code dev.tally.invoicing.tax} that owns the table, and maps the answer; problem+json on every error. */
package dev.tally.invoicing.tax.api;
