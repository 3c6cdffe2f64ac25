package dev.tally.invoicing.payment;

/**
 * A provider call that failed. {@code retryable}: the same call (same idempotency key) may succeed later —
 * a timeout, a 5xx, a 429, a connection refused; otherwise the request itself was refused (4xx) and retrying
 * it would not help. The message never contains credentials.
 */
public class ProviderException extends Exception {
    private final boolean retryable;
    private final int status;

    public ProviderException(String message, boolean retryable, int status) {
        super(message);
        this.retryable = retryable;
        this.status = status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The provider's HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
