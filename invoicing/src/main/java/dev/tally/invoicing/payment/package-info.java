/**
 * Payment providers (offline, Stripe): each tenant's provider and credentials, the jobs that push invoices and make
 * refunds after commit under fixed idempotency keys, usage export to Stripe meters ({@code usage_export_meter},
 * {@code usage_export_state}), and provider webhooks' bookkeeping.
 */
package dev.tally.invoicing.payment;
