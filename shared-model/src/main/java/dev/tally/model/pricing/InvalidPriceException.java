package dev.tally.model.pricing;

/** A price definition that cannot be evaluated; names the offending field. */
public final class InvalidPriceException extends IllegalArgumentException {
    private final String field;

    public InvalidPriceException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
