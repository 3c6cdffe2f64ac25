/** The payment provider over REST — the tenant's provider settings, refunds, and the provider's signed webhooks (Stripe). Thin: each resource parses and checks its input, calls the class of {@code dev.tally.invoicing.payment} that owns the table, and maps the answer; problem+json on every error. */
package dev.tally.invoicing.payment.api;
