/** Coupons over REST: the tenant's coupons, a customer's redemptions, a subscription's discounts. Thin: checks and maps; problem+json on every error. */
package dev.tally.invoicing.coupon.api;
