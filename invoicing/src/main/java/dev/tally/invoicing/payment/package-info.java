/**
 * Payment providers (offline, Stripe): each tenant's provider and credentials, the jobs that push invoices and make
 * refunds after commit under fixed idempotency keys, and provider webhooks' bookkeeping.
 */
package dev.tally.invoicing.payment;
