package dev.tally.model.terms;

import dev.tally.model.money.Money;
import java.util.List;

/**
 * The commercial terms of one subscription for one period.
 *
 * @param fixedFees         prorated fixed fees already computed ({@link Proration})
 * @param discounts         applied in list order, each on what the previous left
 * @param minimumCommitment the least the period costs before credits (null = none)
 * @param credits           grants available to this customer
 * @param periodIndex       0 for the subscription's first period (decides which discounts apply)
 */
public record Terms(List<Proration.Prorated> fixedFees, List<Discount> discounts, Money minimumCommitment, List<CreditGrant> credits,
        int periodIndex) {
    public Terms {
        fixedFees = List.copyOf(fixedFees);
        discounts = List.copyOf(discounts);
        credits = List.copyOf(credits);
    }

    public static Terms none() {
        return new Terms(List.of(), List.of(), null, List.of(), 0);
    }
}
