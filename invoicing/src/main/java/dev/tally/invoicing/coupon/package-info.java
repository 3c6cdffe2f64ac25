/** Coupons (the tenant's offers), their redemptions by customers and discounts set on subscriptions, and what each invoice applied. */
package dev.tally.invoicing.coupon;
