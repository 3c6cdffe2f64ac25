package dev.tally.model.tax;

import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import java.math.BigDecimal;

/**
 * Tax on an invoice's amount, rounded once, on the tax itself:
 * <ul>
 * <li>exclusive: {@code tax = round(net × rate / 100)}, {@code gross = net + tax};</li>
 * <li>inclusive: the amount is gross; {@code net = round(gross × 100 / (100 + rate))} (one division straight to
 * the minor unit), {@code tax = gross − net}.</li>
 * </ul>
 * In both, {@code net + tax = gross} exactly. A negative amount (an invoice of credits) gives a negative tax.
 */
public final class Taxes {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private Taxes() {
    }

    /** The tax part of an invoice and its explanation, e.g. "VAT 19 % on USD 10.00 = USD 1.90". */
    public record Applied(TaxRate rate, Money net, Money tax, Money gross, String explanation) {
    }

    /** {@code amount} is the sum of the invoice's rounded lines: net for an exclusive rate, gross for an inclusive one. */
    public static Applied apply(Money amount, TaxRate rate, RoundingPolicy rounding) {
        String currency = amount.currency();
        String pct = rate.ratePercent().stripTrailingZeros().toPlainString();
        if (rate.inclusive()) {
            Money net = rounding.toMoney(amount.amount().multiply(HUNDRED), HUNDRED.add(rate.ratePercent()), currency);
            Money tax = amount.minus(net);
            return new Applied(rate, net, tax, amount, rate.name() + " " + pct + " % included in " + amount + ": " + tax + " (net " + net + ")");
        }
        Money tax = rounding.toMoney(amount.amount().multiply(rate.ratePercent()).movePointLeft(2), currency);
        Money gross = amount.plus(tax);
        return new Applied(rate, amount, tax, gross, rate.name() + " " + pct + " % on " + amount + " = " + tax);
    }
}
