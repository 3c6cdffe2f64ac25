/** Credit notes over REST — against an invoice (per line, whole, or an SLA percentage), the tenant's list, and finance's approvals. Thin: each resource parses and checks its input, calls the class of {@code dev.tally.invoicing.refund} that owns the table, and maps the answer; problem+json on every error. */
package dev.tally.invoicing.refund.api;
