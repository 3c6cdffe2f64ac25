package dev.tally.model.money;

import java.util.Currency;

/** ISO 4217 lookups. Codes without a defined minor unit (XAU, XXX, …) are not billing currencies. */
public final class Currencies {
    private Currencies() {
    }

    /** @throws UnknownCurrencyException when the code is not an ISO 4217 currency with minor units */
    public static Currency of(String code) {
        if (code == null || code.length() != 3) {
            throw new UnknownCurrencyException(code);
        }
        try {
            Currency currency = Currency.getInstance(code);
            if (currency.getDefaultFractionDigits() < 0) {
                throw new UnknownCurrencyException(code);
            }
            return currency;
        } catch (IllegalArgumentException e) {
            throw new UnknownCurrencyException(code);
        }
    }

    public static int minorUnits(Currency currency) {
        return currency.getDefaultFractionDigits();
    }

    public static boolean isKnown(String code) {
        try {
            of(code);
            return true;
        } catch (UnknownCurrencyException e) {
            return false;
        }
    }
}
