package dev.tally.model.money;

public final class UnknownCurrencyException extends IllegalArgumentException {
    public UnknownCurrencyException(String code) {
        super("unknown ISO 4217 currency: " + code);
    }
}
