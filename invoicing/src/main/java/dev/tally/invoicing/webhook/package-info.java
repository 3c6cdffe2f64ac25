/** Webhooks: endpoints, the deliveries owed to them, and the dispatcher that signs, sends and retries. */
package dev.tally.invoicing.webhook;
