package dev.tally.model.terms;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A customer's redeemed coupons and the discounts set on its subscriptions, on its invoices: each applies, in the
 * order redeemed, to the periods that end after it was redeemed — for its first {@code periods} invoices (null: every
 * one) — on what the plan's terms left (usage, fixed fees, the plan's discounts and true-up), before tax and prepaid
 * credit; a percentage of what is left rounded once, an amount never below zero. Pure.
 */
public final class Coupons {
    /** The key prefix of a redemption's invoice line: {@code coupon:<redemptionId>}. */
    public static final String KEY_PREFIX = "coupon:";

    private static final Comparator<Redemption> ORDER = Comparator.comparing(Redemption::redeemedAt).thenComparing(Redemption::redemptionId);

    private Coupons() {
    }

    /**
     * A coupon redeemed by a customer (or a discount set on a subscription: {@code code} null), with the terms copied
     * from the coupon when it was redeemed, and how many live invoices applied it so far.
     *
     * @param subscriptionId null: every subscription of the customer
     * @param periods        null: every period; else the number of invoices it applies to
     */
    public record Redemption(String redemptionId, String code, String name, Discount.Kind kind, BigDecimal value, Integer periods,
            String subscriptionId, Instant redeemedAt, int periodsUsed) {
        /** The key of its line on an invoice (a term's: with a colon). */
        public String key() {
            return KEY_PREFIX + redemptionId;
        }

        /** Whether it applies to {@code period} of subscription {@code subscriptionId}. */
        public boolean appliesTo(String subscription, BillingPeriod period) {
            return (subscriptionId == null || subscriptionId.equals(subscription)) && redeemedAt.isBefore(period.end())
                    && (periods == null || periodsUsed < periods);
        }

        /** This redemption after one more invoice applied it. */
        public Redemption used() {
            return new Redemption(redemptionId, code, name, kind, value, periods, subscriptionId, redeemedAt, periodsUsed + 1);
        }
    }

    /** The lines of the redemptions that apply to {@code period} of {@code subscriptionId}, on {@code running} (what is billed so far). */
    public static List<PeriodTerms.Line> apply(BigDecimal running, String currency, List<Redemption> redemptions, String subscriptionId,
            BillingPeriod period, RoundingPolicy rounding) {
        List<PeriodTerms.Line> out = new ArrayList<>();
        Money left = Money.of(running, currency);
        for (Redemption r : redemptions.stream().filter(x -> x.appliesTo(subscriptionId, period)).sorted(ORDER).toList()) {
            String label = r.code() == null ? r.name() : "coupon " + r.code();
            for (Settlement.Line l : Settlement.discountsAndMinimum(left, List.of(new Discount(label, r.kind(), r.value(), 0)), null, 0, rounding)) {
                if (!l.amount().isZero()) { // nothing off (a 0 % coupon): no line, and the period does not count as one of its own
                    out.add(new PeriodTerms.Line(r.key(), "coupon", l.text(), l.amount().amount()));
                    left = left.plus(l.amount());
                }
            }
        }
        return out;
    }

    /** {@code redemptions} after an invoice with {@code lines} applied some of them. */
    public static List<Redemption> after(List<Redemption> redemptions, List<PeriodTerms.Line> lines) {
        List<String> applied = lines.stream().map(PeriodTerms.Line::key).toList();
        return redemptions.stream().map(r -> applied.contains(r.key()) ? r.used() : r).toList();
    }
}
