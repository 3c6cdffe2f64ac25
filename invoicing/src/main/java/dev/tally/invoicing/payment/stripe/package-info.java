/** Stripe over its REST API: the client, amounts in Stripe's minor units, webhook signatures. */
package dev.tally.invoicing.payment.stripe;
