package dev.tally.model.plan;

import java.time.Instant;

/**
 * A negotiated price for one charge of a customer (a rate card): from {@code effectiveFrom} until {@code effectiveUntil}
 * (exclusive; null = open), the customer's invoices price {@code meter} with {@code price} instead of the plan's — on
 * every plan, or only on {@code planKey}, for every subscription of the customer, or only {@code subscriptionId}. The
 * plan itself is not forked: every other charge, and every other customer, keeps the plan's price. Immutable once
 * created; a later override (or ending this one) is how a rate card changes, so each period is priced by the override in
 * force at the instant it is priced at, for good.
 *
 * @param planKey        null: whatever plan the customer is on
 * @param subscriptionId null: every subscription of the customer
 */
public record PriceOverride(String overrideId, String customerId, String subscriptionId, String planKey, String meter, PlanSpec.PriceSpec price,
        Instant effectiveFrom, Instant effectiveUntil, String reason) {

    /** Whether this override is in force at {@code at}. */
    public boolean inForceAt(Instant at) {
        return !at.isBefore(effectiveFrom) && (effectiveUntil == null || at.isBefore(effectiveUntil));
    }

    /** This override, ended at {@code until}. */
    public PriceOverride endedAt(Instant until) {
        return new PriceOverride(overrideId, customerId, subscriptionId, planKey, meter, price, effectiveFrom, until, reason);
    }

    /** How specific it is: a subscription's beats the customer's, a plan's beats any plan's. */
    int specificity() {
        return (subscriptionId != null ? 2 : 0) + (planKey != null ? 1 : 0);
    }

    /** The line an invoice's explanation shows for it. */
    public String explanation() {
        return "negotiated price (override " + overrideId + ", from " + effectiveFrom + (effectiveUntil == null ? "" : " until " + effectiveUntil)
                + (reason == null || reason.isBlank() ? "" : ": " + reason) + ") replaces the plan's " + meter + " price";
    }
}
