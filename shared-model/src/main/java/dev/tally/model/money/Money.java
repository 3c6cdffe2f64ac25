package dev.tally.model.money;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money at its currency's ISO 4217 minor-unit scale (JPY 0 digits, USD 2, KWD 3).
 * Immutable. There is no constructor that rounds: turning a high-scale amount into {@code Money}
 * happens only through {@link RoundingPolicy#toMoney}, the one documented rounding point.
 */
public final class Money implements Comparable<Money> {
    private final BigDecimal amount;
    private final Currency currency;

    private Money(BigDecimal amount, Currency currency) {
        this.amount = amount;
        this.currency = currency;
    }

    /** Exact: throws {@link ArithmeticException} if {@code amount} has more digits than the currency allows. */
    public static Money of(BigDecimal amount, String currencyCode) {
        Currency currency = Currencies.of(currencyCode);
        // setScale without a rounding mode throws instead of rounding
        return new Money(amount.setScale(Currencies.minorUnits(currency)), currency);
    }

    public static Money zero(String currencyCode) {
        return of(BigDecimal.ZERO, currencyCode);
    }

    static Money exact(BigDecimal amount, Currency currency) {
        return new Money(amount.setScale(Currencies.minorUnits(currency)), currency);
    }

    public BigDecimal amount() {
        return amount;
    }

    public String currency() {
        return currency.getCurrencyCode();
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.add(other.amount), currency);
    }

    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.subtract(other.amount), currency);
    }

    public boolean isZero() {
        return amount.signum() == 0;
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new CurrencyMismatchException(currency(), other.currency());
        }
    }

    @Override
    public int compareTo(Money other) {
        requireSameCurrency(other);
        return amount.compareTo(other.amount);
    }

    @Override
    public boolean equals(Object o) {
        // amount always carries the currency's scale, so BigDecimal.equals is consistent with compareTo here
        return o instanceof Money m && currency.equals(m.currency) && amount.equals(m.amount);
    }

    @Override
    public int hashCode() {
        return Objects.hash(amount, currency);
    }

    /** e.g. {@code "USD 12.50"}. */
    @Override
    public String toString() {
        return currency() + " " + amount.toPlainString();
    }
}
