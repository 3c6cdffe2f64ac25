package dev.tally.model.money;

/** Arithmetic across two currencies is always a bug upstream; it is never converted silently. */
public final class CurrencyMismatchException extends IllegalArgumentException {
    public CurrencyMismatchException(String left, String right) {
        super("cannot combine " + left + " with " + right);
    }
}
