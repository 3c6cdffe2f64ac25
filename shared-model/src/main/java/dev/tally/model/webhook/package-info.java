/** Webhooks: when Tally retries a delivery. Pure. (Signing needs javax.crypto and lives in the platform: WebhookSignature.) */
package dev.tally.model.webhook;
