package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A percentage of each transaction's value plus an optional fixed fee per transaction (card
 * processing: 2.9 % + $0.30), with optional per-transaction minimum and maximum fees. Per
 * transaction: {@code fee = value × rate/100 + fixedFee}, then raised to the minimum or cut to the
 * maximum. Each transaction is folded in with {@link #accumulate}; the invoice shows the totals.
 *
 * @param ratePercent percent, 0–100, up to 12 fractional digits ({@link #ofBasisPoints} for bps)
 */
public record PercentagePrice(BigDecimal ratePercent, BigDecimal fixedFee, BigDecimal minimumFee, BigDecimal maximumFee)
        implements PriceModel {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public PercentagePrice {
        if (ratePercent == null || ratePercent.signum() < 0 || ratePercent.compareTo(HUNDRED) > 0) {
            throw new InvalidPriceException("ratePercent", "must be between 0 and 100, was "
                    + (ratePercent == null ? "missing" : ratePercent.toPlainString()));
        }
        Prices.requirePrice(ratePercent, "ratePercent");
        fixedFee = fixedFee == null ? BigDecimal.ZERO : Prices.requirePrice(fixedFee, "fixedFee");
        if (minimumFee != null) {
            Prices.requirePrice(minimumFee, "minimumFee");
        }
        if (maximumFee != null) {
            Prices.requirePrice(maximumFee, "maximumFee");
        }
        if (minimumFee != null && maximumFee != null && minimumFee.compareTo(maximumFee) > 0) {
            throw new InvalidPriceException("minimumFee", "must not exceed maximumFee");
        }
    }

    public static PercentagePrice of(String ratePercent) {
        return new PercentagePrice(new BigDecimal(ratePercent), null, null, null);
    }

    /** 1 basis point = 0.01 %. */
    public static PercentagePrice ofBasisPoints(BigDecimal bps, BigDecimal fixedFee, BigDecimal minimumFee, BigDecimal maximumFee) {
        return new PercentagePrice(bps.movePointLeft(2), fixedFee, minimumFee, maximumFee);
    }

    /** The fee of one transaction, before the minimum and maximum. */
    public BigDecimal rawFee(BigDecimal value) {
        return value.multiply(ratePercent).movePointLeft(2).add(fixedFee);
    }

    /** Folds one transaction of {@code value} into {@code so far}. Pure; order does not matter. */
    public ChargeInput.Transactions accumulate(ChargeInput.Transactions soFar, BigDecimal value) {
        if (value == null || value.signum() < 0) {
            throw new IllegalArgumentException("a transaction value must be a non-negative decimal, was " + value);
        }
        BigDecimal raw = rawFee(value);
        ChargeInput.Transactions one;
        if (minimumFee != null && raw.compareTo(minimumFee) < 0) {
            one = new ChargeInput.Transactions(1, value, 1, minimumFee.subtract(raw), 0, BigDecimal.ZERO);
        } else if (maximumFee != null && raw.compareTo(maximumFee) > 0) {
            one = new ChargeInput.Transactions(1, value, 0, BigDecimal.ZERO, 1, raw.subtract(maximumFee));
        } else {
            one = new ChargeInput.Transactions(1, value, 0, BigDecimal.ZERO, 0, BigDecimal.ZERO);
        }
        return soFar.merge(one);
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        if (!(input instanceof ChargeInput.Transactions t)) {
            throw new IllegalArgumentException("PercentagePrice prices transactions, not " + input.getClass().getSimpleName());
        }
        List<Evaluation.Step> steps = new ArrayList<>();
        BigDecimal percentage = t.valueSum().multiply(ratePercent).movePointLeft(2);
        steps.add(new Evaluation.Step(Decimals.plain(ratePercent) + " % of " + Prices.money(currency, t.valueSum()) + " over " + t.count()
                + " transactions = " + Prices.money(currency, percentage), t.valueSum(), ratePercent, percentage));
        BigDecimal total = percentage;
        if (fixedFee.signum() != 0) {
            BigDecimal fixed = fixedFee.multiply(BigDecimal.valueOf(t.count()));
            steps.add(new Evaluation.Step("fixed fee: " + t.count() + " × " + Prices.money(currency, fixedFee) + " = "
                    + Prices.money(currency, fixed), BigDecimal.valueOf(t.count()), fixedFee, fixed));
            total = total.add(fixed);
        }
        if (t.raisedCount() > 0) {
            steps.add(new Evaluation.Step("minimum fee " + Prices.money(currency, minimumFee) + " per transaction raised " + t.raisedCount()
                    + " transactions: +" + Prices.money(currency, t.raisedBy()), BigDecimal.valueOf(t.raisedCount()), null, t.raisedBy()));
            total = total.add(t.raisedBy());
        }
        if (t.cutCount() > 0) {
            steps.add(new Evaluation.Step("maximum fee " + Prices.money(currency, maximumFee) + " per transaction capped " + t.cutCount()
                    + " transactions: −" + Prices.money(currency, t.cutBy()), BigDecimal.valueOf(t.cutCount()), null, t.cutBy().negate()));
            total = total.subtract(t.cutBy());
        }
        return new Evaluation(steps, total);
    }
}
