/** Webhook endpoints over REST — register, list, rotate, and read deliveries. Thin: each resource parses and checks its input, calls the class of {@code dev.tally.invoicing.webhook} that owns the table, and maps the answer; problem+json on every error. */
package dev.tally.invoicing.webhook.api;
