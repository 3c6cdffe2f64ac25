package dev.tally.model.subscription;

/** A subscription or billing cycle that cannot exist; names the offending field. */
public final class InvalidSubscriptionException extends IllegalArgumentException {
    private final String field;

    public InvalidSubscriptionException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
