package dev.tally.invoicing.payment.stripe;

import dev.tally.invoicing.payment.ProviderException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Locale;
import java.util.Set;

/**
 * Converts Tally's decimal amounts to the integer "minor units" Stripe's API expects (cents for USD, whole yen
 * for JPY), exactly: an amount with more decimals than the currency has is refused, never rounded. Tally rounds
 * an invoice before it is pushed, so a refusal here means a bug upstream, not a rounding point.
 *
 * <p>The number of decimals is Java's ISO 4217 default ({@link Currency#getDefaultFractionDigits()}) except where
 * Stripe's documented list differs (docs.stripe.com/currencies):
 * <ul>
 * <li>Stripe's zero-decimal currencies: Java agrees for all but MGA (ISO: 2, Stripe: 0);</li>
 * <li>ISK and UGX, which Stripe represents as two-decimal amounts whose decimals are always {@code 00} (5 ISK is
 * {@code 500}) although Java gives 0: the amount must be whole, then it is multiplied by 100.</li>
 * </ul>
 */
public final class StripeAmounts {
    /** Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal), UGX aside (see below). */
    static final Set<String> ZERO_DECIMAL = Set.of("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF",
            "XOF", "XPF");
    /** Whole amounts only, sent as two-decimal values ending in 00 (Stripe's "special cases"). */
    static final Set<String> WHOLE_AS_TWO_DECIMAL = Set.of("ISK", "UGX");

    private StripeAmounts() {
    }

    /** The amount in the currency's Stripe minor units; a non-retryable ProviderException if it isn't exact. */
    static long toMinor(BigDecimal amount, String currency) throws ProviderException {
        if (amount == null) {
            throw new ProviderException("missing amount", false, 0);
        }
        String code = isoCode(currency);
        try {
            if (WHOLE_AS_TWO_DECIMAL.contains(code)) {
                return amount.setScale(0, RoundingMode.UNNECESSARY).movePointRight(2).longValueExact();
            }
            int digits = decimals(code);
            return amount.setScale(digits, RoundingMode.UNNECESSARY).movePointRight(digits).longValueExact();
        } catch (ArithmeticException e) {
            throw new ProviderException("amount " + amount.toPlainString() + " " + code + " has more decimals than " + code
                    + " has at Stripe (or is out of range); it must be rounded before it is pushed", false, 0);
        }
    }

    /** An amount Stripe gives in minor units, as a decimal in the currency (the inverse of {@link #toMinor}). */
    public static BigDecimal fromMinor(long minor, String currency) throws ProviderException {
        String code = isoCode(currency);
        if (WHOLE_AS_TWO_DECIMAL.contains(code)) {
            return BigDecimal.valueOf(minor).movePointLeft(2).setScale(0, RoundingMode.UNNECESSARY);
        }
        return BigDecimal.valueOf(minor, decimals(code));
    }

    /** The number of decimals Stripe uses for {@code code} (ISK and UGX: 0 — whole units, sent ×100). */
    static int decimals(String code) throws ProviderException {
        if (ZERO_DECIMAL.contains(code) || WHOLE_AS_TWO_DECIMAL.contains(code)) {
            return 0;
        }
        int digits = Currency.getInstance(code).getDefaultFractionDigits();
        if (digits < 0) {
            throw new ProviderException("currency " + code + " has no minor unit and can't be charged", false, 0);
        }
        return digits;
    }

    /** The upper-case ISO 4217 code of {@code currency}; non-retryable if it isn't one. */
    static String isoCode(String currency) throws ProviderException {
        if (currency == null || currency.isBlank()) {
            throw new ProviderException("missing currency", false, 0);
        }
        String code = currency.trim().toUpperCase(Locale.ROOT);
        try {
            Currency.getInstance(code);
            return code;
        } catch (IllegalArgumentException e) {
            throw new ProviderException("unknown currency " + code, false, 0);
        }
    }
}
