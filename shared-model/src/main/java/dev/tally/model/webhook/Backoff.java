package dev.tally.model.webhook;

import java.time.Duration;

/** Webhook retry schedule: 2^attempt seconds after the n-th failed attempt (1, 2, 4, …), at most an hour; given up after {@link #MAX_ATTEMPTS}. */
public final class Backoff {
    public static final int MAX_ATTEMPTS = 12;
    private static final Duration CAP = Duration.ofHours(1);

    private Backoff() {
    }

    /** The wait after {@code failedAttempts} (≥ 1) failures. */
    public static Duration after(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("after at least one failure");
        }
        return failedAttempts > 12 ? CAP : Duration.ofSeconds(Math.min(CAP.toSeconds(), 1L << (failedAttempts - 1)));
    }
}
